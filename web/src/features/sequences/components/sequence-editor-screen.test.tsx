import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { SequenceEditorScreen } from './sequence-editor-screen';

const answers = {
  niches: [{ __typename: 'NicheCount', tag: 'gym', leads: 12 }],
  sequences: [
    {
      __typename: 'Sequence',
      id: 's2',
      name: 'Warm follow-up',
      trigger: 'WARM',
      status: 'ACTIVE',
      stopOnReply: true,
      nextSequenceId: null,
      steps: [],
      progress: {
        __typename: 'SequenceProgress',
        sequenceId: 's2',
        status: 'ACTIVE',
        enrolled: 0,
        active: 0,
        completed: 0,
        replied: 0,
        optedOut: 0,
        failed: 0,
        removed: 0,
        steps: [],
      },
    },
  ],
  campaignPreview: { __typename: 'CampaignPreview', samples: ['Hi Ana'], distinctTexts: 1 },
};

function open(mutation?: MockClientOptions['mutation']) {
  const client = mockClient({ query: { data: answers }, mutation });
  render(
    <Provider value={client}>
      <MemoryRouter initialEntries={['/sequences/new']}>
        <Routes>
          <Route path="/sequences/new" element={<SequenceEditorScreen sequenceId={null} />} />
          <Route path="/sequences/:id" element={<p>Detail page</p>} />
        </Routes>
      </MemoryRouter>
    </Provider>,
  );
  return { client, form: screen.getByRole('form', { name: 'New sequence' }) };
}

describe('SequenceEditorScreen', () => {
  it('says what is wrong beside each field and sends nothing', async () => {
    const user = userEvent.setup();
    const { client, form } = open();
    const step = within(form).getByRole('group', { name: 'Step 1' });
    await user.clear(within(step).getByLabelText('Wait'));
    await user.type(within(step).getByLabelText('Wait'), '-5');
    await user.clear(within(step).getByLabelText('Shortest pause (s)'));
    await user.type(within(step).getByLabelText('Shortest pause (s)'), '90');
    await user.click(within(form).getByRole('button', { name: 'Create sequence' }));

    expect(within(form).getByText('Give the sequence a name.')).toBeInTheDocument();
    expect(within(step).getByText('A delay cannot be negative.')).toBeInTheDocument();
    expect(within(step).getByText('Write a message or attach an image.')).toBeInTheDocument();
    expect(
      within(step).getByText('The longest pause must not be shorter than the shortest.'),
    ).toBeInTheDocument();
    expect(client.mutations).not.toHaveBeenCalled();
  });

  it('sends the steps in the order shown, delays in minutes, and opens the sequence', async () => {
    const user = userEvent.setup();
    const { client, form } = open({
      data: { createSequence: { __typename: 'Sequence', id: 's9' } },
    });
    await user.type(within(form).getByLabelText('Name'), 'Cold');
    await user.type(within(form).getByLabelText('Trigger code'), 'COLD');
    await user.selectOptions(within(form).getByLabelText('Then enrol in'), 's2');
    const first = within(form).getByRole('group', { name: 'Step 1' });
    await user.type(within(first).getByLabelText('Message'), 'First');
    await user.click(within(form).getByRole('button', { name: 'Add a step' }));
    const second = within(form).getByRole('group', { name: 'Step 2' });
    await user.clear(within(second).getByLabelText('Wait'));
    await user.type(within(second).getByLabelText('Wait'), '3');
    await user.selectOptions(within(second).getByLabelText('Unit'), 'hours');
    await user.type(within(second).getByLabelText('Message'), 'Second');
    await user.click(within(second).getByRole('button', { name: 'Move up step 2' }));
    await user.click(within(form).getByRole('button', { name: 'Create sequence' }));

    expect(await screen.findByText('Detail page')).toBeInTheDocument();
    const [[request]] = client.mutations.mock.calls as unknown as [
      [{ variables: { input: { nextSequenceId: string; steps: object[] } } }],
    ];
    expect(request.variables.input.nextSequenceId).toBe('s2');
    expect(request.variables.input.steps).toEqual([
      expect.objectContaining({ message: 'Second', delayMinutes: 180 }),
      expect.objectContaining({ message: 'First', delayMinutes: 0 }),
    ]);
  });

  it('shows the server’s reason for refusing, such as a loop of sequences', async () => {
    const user = userEvent.setup();
    const { form } = open({
      error: gqlError('BAD_USER_INPUT', 'The next sequence leads back to this one.'),
    });
    await user.type(within(form).getByLabelText('Name'), 'Cold');
    await user.type(within(form).getByLabelText('Trigger code'), 'COLD');
    await user.type(within(form).getByLabelText('Message'), 'Hello');
    await user.click(within(form).getByRole('button', { name: 'Create sequence' }));
    expect(
      await within(form).findByText('The next sequence leads back to this one.'),
    ).toBeInTheDocument();
  });
});

describe('SequenceEditorScreen steps', () => {
  it('moves a step’s notes with it, and keeps working after edits before any check', async () => {
    const user = userEvent.setup();
    const { form } = open();
    await user.click(within(form).getByRole('button', { name: 'Add a step' }));
    await user.click(within(form).getByRole('button', { name: 'Add a step' }));
    await user.type(
      within(within(form).getByRole('group', { name: 'Step 3' })).getByLabelText('Message'),
      'Third',
    );
    await user.click(within(form).getByRole('button', { name: 'Move down step 1' }));
    await user.click(within(form).getByRole('button', { name: 'Create sequence' }));
    // Step 1 (now second) and the new step 2 (now first) have no text; step 3 has.
    const groups = within(form).getAllByRole('group', { name: /^Step \d$/ });
    expect(within(groups[0]!).getByText('Write a message or attach an image.')).toBeInTheDocument();
    expect(within(groups[2]!).queryByText('Write a message or attach an image.')).toBeNull();

    await user.click(within(form).getByRole('button', { name: 'Move down step 2' }));
    const moved = within(form).getAllByRole('group', { name: /^Step \d$/ });
    expect(within(moved[1]!).queryByText('Write a message or attach an image.')).toBeNull();
    expect(within(moved[2]!).getByText('Write a message or attach an image.')).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Remove step 3' }));
    expect(within(form).getAllByRole('group', { name: /^Step \d$/ })).toHaveLength(2);
  });
});
