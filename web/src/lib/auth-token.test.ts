import { describe, expect, it, vi } from 'vitest';

import { clearToken, getToken, setToken, subscribeToken } from './auth-token';

describe('auth token', () => {
  it('is stored, announced and cleared', () => {
    const listener = vi.fn();
    const unsubscribe = subscribeToken(listener);

    setToken('secret');
    expect(getToken()).toBe('secret');
    clearToken();
    expect(getToken()).toBeNull();
    clearToken();

    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
  });
});
