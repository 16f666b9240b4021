import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { mockClient } from '@/testing/graphql';

import type { AudienceRow } from '../api/audience';
import { BulkDialog } from './bulk-dialogs';

const lead = (id: string): AudienceRow => ({
  id,
  name: `Lead ${id}`,
  phone: `+6011200000${id}`,
  niches: [],
  targetStatus: 'PROSPECT',
  optedOut: false,
  notes: '',
  deviceId: 'd1',
  deviceName: 'Sales 1',
  triggers: [],
  status: null,
});

describe('Add to sequence…', () => {
  it('enrols the selected leads in the sequence chosen and says how many went in', async () => {
    const user = userEvent.setup();
    const client = mockClient({
      query: {
        data: {
          sequences: [
            { __typename: 'Sequence', id: 's1', name: 'Cold', status: 'ACTIVE' },
            { __typename: 'Sequence', id: 's2', name: 'Warm', status: 'DRAFT' },
          ],
        },
      },
      mutation: { data: { enrollLeads: 2 } },
    });
    const onDone = vi.fn();
    render(
      <Provider value={client}>
        <BulkDialog
          kind="leads"
          action="enroll"
          rows={[lead('1'), lead('2'), lead('3')]}
          onClose={vi.fn()}
          onDone={onDone}
        />
      </Provider>,
    );
    await user.selectOptions(screen.getByLabelText('Sequence'), 's2');
    await user.click(screen.getByRole('button', { name: 'Add to sequence' }));

    expect(client.mutations.mock.calls[0]?.[0]).toMatchObject({
      variables: { sequenceId: 's2', leadIds: ['1', '2', '3'] },
    });
    expect(onDone).toHaveBeenCalledWith(
      '2 leads added to “Warm”. 1 was left out: already in it or opted out.',
    );
  });
});
