import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { getToken } from '@/lib/auth-token';
import { gqlError, mockClient } from '@/testing/graphql';

import { LogInForm } from './log-in-form';

async function submit(client = mockClient()) {
  render(
    <Provider value={client}>
      <LogInForm />
    </Provider>,
  );
  await userEvent.type(screen.getByLabelText('Email'), 'ana@example.com');
  await userEvent.type(screen.getByLabelText('Password'), 'not the password');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('LogInForm', () => {
  it('says the credentials are wrong in plain words', async () => {
    await submit(mockClient({ mutation: { error: gqlError('UNAUTHENTICATED', 'bad login') } }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    expect(getToken()).toBeNull();
  });

  it('keeps the token of a successful login', async () => {
    await submit(
      mockClient({
        mutation: { data: { logIn: { token: 'tok', user: { id: '1', fullName: 'Ana' } } } },
      }),
    );
    await vi.waitFor(() => expect(getToken()).toBe('tok'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
