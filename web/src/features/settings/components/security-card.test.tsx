import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { gqlError, mockClient } from '@/testing/graphql';

import { otherSessions, SecurityCard } from './security-card';

function renderCard(client: ReturnType<typeof mockClient>) {
  render(
    <Provider value={client}>
      <SecurityCard />
    </Provider>,
  );
}

describe('SecurityCard', () => {
  it('changes the password and says how many other sessions ended', async () => {
    const client = mockClient({ mutation: { data: { changePassword: 2 } } });
    renderCard(client);
    await userEvent.type(screen.getByLabelText('Current password'), 'plum-orchard-42');
    await userEvent.type(screen.getByLabelText('New password'), 'granite-kettle-77');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Password changed. 2 other sessions logged out.',
    );
    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({
      input: { currentPassword: 'plum-orchard-42', newPassword: 'granite-kettle-77' },
    });
    expect(screen.getByLabelText('Current password')).toHaveValue('');
  });

  it('shows why a new password was refused', async () => {
    const client = mockClient({
      mutation: {
        error: gqlError('BAD_USER_INPUT', 'Password is too weak: it is too easy to guess.'),
      },
    });
    renderCard(client);
    await userEvent.type(screen.getByLabelText('Current password'), 'plum-orchard-42');
    await userEvent.type(screen.getByLabelText('New password'), 'password12');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Password is too weak');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('logs out the other sessions', async () => {
    renderCard(mockClient({ mutation: { data: { logOutOtherSessions: 1 } } }));
    await userEvent.click(screen.getByRole('button', { name: 'Log out other sessions' }));
    expect(await screen.findByRole('status')).toHaveTextContent('1 other session logged out.');
  });

  it('counts sessions in words', () => {
    expect(otherSessions(1)).toBe('1 other session');
    expect(otherSessions(3)).toBe('3 other sessions');
  });
});
