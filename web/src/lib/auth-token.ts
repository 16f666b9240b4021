import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'wafleet.token';

const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) listener();
}

export function getToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string) {
  window.localStorage.setItem(STORAGE_KEY, token);
  emit();
}

export function clearToken() {
  if (getToken() === null) return;
  window.localStorage.removeItem(STORAGE_KEY);
  emit();
}

export function subscribeToken(listener: () => void) {
  listeners.add(listener);
  // Logging in or out in another tab changes localStorage there; follow it here.
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY || event.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useToken(): string | null {
  return useSyncExternalStore(subscribeToken, getToken, () => null);
}
