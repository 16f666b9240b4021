import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { ImportDialog } from './import-dialog';

const job = {
  __typename: 'ImportJob',
  id: 'job1',
  kind: 'OPT_OUTS',
  status: 'DONE',
  fileName: 'stop.csv',
  rowsRead: 5,
  imported: 2,
  updated: 0,
  duplicates: 0,
  rejectedCount: 3,
  rejected: [
    { __typename: 'ImportRejection', line: 3, reason: 'The phone number is not valid.' },
    { __typename: 'ImportRejection', line: 5, reason: 'The phone is missing.' },
    { __typename: 'ImportRejection', line: 6, reason: 'The phone number is not valid.' },
  ],
  error: null,
};

function open(mutation: MockClientOptions['mutation']) {
  const client = mockClient({ query: { data: { importJob: job } }, mutation });
  render(
    <Provider value={client}>
      <ImportDialog kind="OPT_OUTS" onClose={vi.fn()} />
    </Provider>,
  );
  return client;
}

const csv = () => new File(['phone,reason\n+60111111111,x\n'], 'stop.csv', { type: 'text/csv' });

describe('ImportDialog', () => {
  it('sends the file and lists the refused rows with their line numbers', async () => {
    const client = open({ data: { importOptOuts: job } });
    await userEvent.upload(screen.getByLabelText('CSV file'), csv());
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));

    expect(client.mutations).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status')).toHaveTextContent('Done: 5 rows read.');
    const list = screen.getByRole('list', { name: 'Rows not imported' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Line 3 The phone number is not valid.',
      'Line 5 The phone is missing.',
      'Line 6 The phone number is not valid.',
    ]);
  });

  it('refuses a file that is not a CSV without sending it', async () => {
    const client = open({ data: { importOptOuts: job } });
    const picture = new File(['x'], 'photo.png', { type: 'image/png' });
    await userEvent.upload(screen.getByLabelText('CSV file'), picture, { applyAccept: false });
    expect(screen.getByText('Choose a CSV file (ending in .csv).')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled();
    expect(client.mutations).not.toHaveBeenCalled();
  });

  it('shows the server’s refusal and stays on the form', async () => {
    open({ error: gqlError('BAD_USER_INPUT', 'The file has no phone column.') });
    await userEvent.upload(screen.getByLabelText('CSV file'), csv());
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(screen.getByText('The file has no phone column.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeInTheDocument();
  });
});
