import { useEffect, useRef } from 'react';

const listeners = new Set<() => void>();

/**
 * Called by the GraphQL client when its WebSocket came back after a drop: subscriptions resume,
 * but whatever happened meanwhile was missed, so live screens reload what they show.
 */
export function notifyReconnected() {
  for (const listener of listeners) listener();
}

export function onReconnected(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs `callback` (the latest one) each time the live connection is restored. */
export function useOnReconnected(callback: () => void) {
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => onReconnected(() => latest.current()), []);
}
