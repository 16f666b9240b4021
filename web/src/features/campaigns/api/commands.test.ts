import { describe, expect, it } from 'vitest';

import { commandDone } from './commands';

describe('commandDone', () => {
  it('says what happened to the campaign', () => {
    expect(commandDone('pause', 'Promo')).toBe(
      '“Promo” is paused: nothing more goes out until you resume it.',
    );
    expect(commandDone('delete', 'Promo')).toBe('“Promo” is deleted.');
    expect(commandDone('start', 'Promo')).toBe('“Promo” starts now.');
  });

  it('counts the messages sent again', () => {
    expect(commandDone('retry', 'Promo', 0)).toBe('No failed messages to send again.');
    expect(commandDone('retry', 'Promo', 1)).toBe('1 failed message goes out again.');
    expect(commandDone('retry', 'Promo', 1200)).toBe('1,200 failed messages go out again.');
  });
});
