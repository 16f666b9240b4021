import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { mockClient } from '@/testing/graphql';

import { SequencesScreen } from './sequences-screen';

const progress = (status: string) => ({
  __typename: 'SequenceProgress',
  sequenceId: 's1',
  status,
  enrolled: 9,
  active: 4,
  completed: 2,
  replied: 3,
  optedOut: 0,
  failed: 0,
  removed: 0,
  steps: [],
});

const sequences = [
  {
    __typename: 'Sequence',
    id: 's1',
    name: 'Cold outreach',
    trigger: 'COLD',
    status: 'DRAFT',
    stopOnReply: true,
    nextSequenceId: 's2',
    steps: [
      { __typename: 'SequenceStep', id: 'a' },
      { __typename: 'SequenceStep', id: 'b' },
    ],
    progress: progress('DRAFT'),
  },
  {
    __typename: 'Sequence',
    id: 's2',
    name: 'Warm',
    trigger: 'WARM',
    status: 'ACTIVE',
    stopOnReply: true,
    nextSequenceId: null,
    steps: [{ __typename: 'SequenceStep', id: 'c' }],
    progress: { ...progress('ACTIVE'), sequenceId: 's2' },
  },
];

describe('SequencesScreen', () => {
  it('lists each sequence with its trigger, chain, steps and progress, and activates a draft', async () => {
    const user = userEvent.setup();
    const client = mockClient({
      query: { data: { sequences } },
      mutation: { data: { setSequenceStatus: { ...sequences[0], status: 'ACTIVE' } } },
    });
    render(
      <Provider value={client}>
        <MemoryRouter>
          <SequencesScreen />
        </MemoryRouter>
      </Provider>,
    );
    const rows = within(screen.getByRole('table', { name: 'Sequences' })).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Cold outreach');
    expect(rows[1]).toHaveTextContent('Trigger COLD · then Warm');
    expect(rows[1]).toHaveTextContent('Draft');
    expect(rows[1]).toHaveTextContent('2 steps');
    expect(rows[1]).toHaveTextContent('4 active · 2 completed · 3 replied');
    expect(rows[2]).toHaveTextContent('1 step');

    await user.click(screen.getByRole('button', { name: 'Actions for Cold outreach' }));
    await user.click(screen.getByRole('menuitem', { name: 'Activate' }));
    expect(client.mutations.mock.calls[0]?.[0]).toMatchObject({
      variables: { id: 's1', status: 'ACTIVE' },
    });
    expect(
      await screen.findByText(
        '“Cold outreach” is active: leads with its trigger code are enrolled.',
      ),
    ).toBeInTheDocument();
  });
});
