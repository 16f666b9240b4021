import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { mockClient } from '@/testing/graphql';

import { SequenceDetailScreen } from './sequence-detail-screen';

const step = (position: number, delayMinutes: number) => ({
  __typename: 'SequenceStep',
  id: `st${position}`,
  position,
  delayMinutes,
  message: `Step text ${position + 1}`,
  hasImage: false,
  sendWindow: null,
  weekdays: [],
  minDelaySeconds: 0,
  maxDelaySeconds: 0,
  onFailure: 'SKIP',
});

const contact = {
  __typename: 'SequenceContact',
  id: 'c1',
  leadId: 'l1',
  name: 'Aisyah',
  phone: '+60112000001',
  deviceId: 'd1',
  deviceName: 'Sales 1',
  status: 'ACTIVE',
  nextStep: 1,
  nextDueAt: '2026-12-02T10:00:00Z',
  timeZone: 'Asia/Kuala_Lumpur',
  enrolledAt: '2026-12-02T08:00:00Z',
  timeline: [
    {
      __typename: 'SequenceTimelineEntry',
      position: 0,
      status: 'DELIVERED',
      at: '2026-12-02T08:00:05Z',
      text: 'Hi Aisyah',
    },
  ],
};

const sequence = {
  __typename: 'Sequence',
  id: 's1',
  name: 'Cold outreach',
  trigger: 'COLD',
  niches: [],
  targetStatus: 'ALL',
  status: 'ACTIVE',
  stopOnReply: true,
  nextSequenceId: null,
  nextSequence: null,
  createdAt: '2026-12-01T08:00:00Z',
  updatedAt: '2026-12-01T08:00:00Z',
  steps: [step(0, 0), step(1, 60), step(2, 1440)],
  progress: {
    __typename: 'SequenceProgress',
    sequenceId: 's1',
    status: 'ACTIVE',
    enrolled: 1,
    active: 1,
    completed: 0,
    replied: 0,
    optedOut: 0,
    failed: 0,
    removed: 0,
    steps: [
      { __typename: 'SequenceStepProgress', position: 0, waiting: 0, sent: 1, failed: 0 },
      { __typename: 'SequenceStepProgress', position: 1, waiting: 1, sent: 0, failed: 0 },
    ],
  },
  contacts: {
    __typename: 'SequenceContactConnection',
    totalCount: 1,
    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    nodes: [contact],
  },
};

function open() {
  const client = mockClient({
    query: { data: { sequence } },
    mutation: { data: { removeSequenceContact: { ...contact, status: 'REMOVED' } } },
  });
  render(
    <Provider value={client}>
      <MemoryRouter>
        <SequenceDetailScreen sequenceId="s1" />
      </MemoryRouter>
    </Provider>,
  );
  return client;
}

describe('SequenceDetailScreen', () => {
  it('shows the controls, the progress per step and each contact’s next step', () => {
    open();
    expect(screen.getByRole('heading', { name: 'Cold outreach', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeInTheDocument();
    const steps = within(screen.getByRole('table', { name: 'Progress per step' })).getAllByRole(
      'row',
    );
    expect(steps).toHaveLength(4);
    expect(steps[2]).toHaveTextContent('1 h');
    expect(steps[3]).toHaveTextContent('1 day');

    const row = within(screen.getByRole('table', { name: 'Contacts' })).getAllByRole('row')[1]!;
    expect(row).toHaveTextContent('Aisyah');
    expect(row).toHaveTextContent('2 of 3');
    // 10:00 UTC is 18:00 in Kuala Lumpur, the lead's zone.
    expect(row).toHaveTextContent(/6:00\s?PM/);
    expect(row).toHaveTextContent('Asia/Kuala_Lumpur');
  });

  it('opens a contact’s timeline and removes the contact', async () => {
    const user = userEvent.setup();
    const client = open();
    await user.click(screen.getByRole('button', { name: 'Timeline' }));
    const timeline = screen.getByRole('list', { name: 'Timeline of Aisyah' });
    expect(timeline).toHaveTextContent('Step 1 delivered');
    expect(timeline).toHaveTextContent('Hi Aisyah');

    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(client.mutations).toHaveBeenCalledTimes(1);
    expect(
      await screen.findByText('Aisyah is out of the sequence: nothing more is sent.'),
    ).toBeInTheDocument();
  });
});
