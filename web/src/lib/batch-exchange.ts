import type { Exchange, Operation, OperationResult } from '@urql/core';
import { make, onEnd, pipe, subscribe } from 'wonka';

export type BatchExchangeOptions = {
  /** The operations whose results are held back and let through in batches. */
  batches: (operation: Operation) => boolean;
  /** What one batch lets through (for example only the newest event of each object). */
  merge?: (results: readonly OperationResult[]) => OperationResult[];
  /** At most one batch per this many milliseconds. */
  intervalMs?: number;
};

/**
 * Lets the results of busy subscriptions through in batches, so that hundreds of events a second
 * cost the cache and the screen a few updates a second. Sits between the cache and the network:
 * the cache then writes a whole batch before any query showing it is read again (the client
 * re-runs each dependent query once per batch). A lone event goes through on the next tick; the
 * events after it wait for the rest of the interval.
 */
export function batchExchange({
  batches,
  merge = (results) => [...results],
  intervalMs = 250,
}: BatchExchangeOptions): Exchange {
  return ({ forward }) =>
    (operations$) => {
      const results$ = forward(operations$);
      return make<OperationResult>((observer) => {
        let held: OperationResult[] = [];
        let timer: ReturnType<typeof setTimeout> | undefined;
        let lastFlush = Number.NEGATIVE_INFINITY;

        const flush = () => {
          timer = undefined;
          lastFlush = Date.now();
          const batch = merge(held);
          held = [];
          for (const result of batch) observer.next(result);
        };

        const subscription = pipe(
          results$,
          onEnd(() => {
            if (timer !== undefined) {
              clearTimeout(timer);
              flush();
            }
            observer.complete();
          }),
          subscribe((result) => {
            if (!batches(result.operation)) {
              observer.next(result);
              return;
            }
            held.push(result);
            if (timer === undefined) {
              timer = setTimeout(flush, Math.max(0, lastFlush + intervalMs - Date.now()));
            }
          }),
        );

        return () => {
          if (timer !== undefined) clearTimeout(timer);
          subscription.unsubscribe();
        };
      });
    };
}
