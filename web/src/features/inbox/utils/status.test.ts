import { describe, expect, it } from 'vitest';

import { messageTicks } from './status';

describe('messageTicks', () => {
  it('maps each status to WhatsApp’s marks', () => {
    expect(messageTicks('PENDING')).toEqual({ icon: 'clock', label: 'Pending', tone: 'grey' });
    expect(messageTicks('SENT')).toEqual({ icon: 'tick', label: 'Sent', tone: 'grey' });
    expect(messageTicks('DELIVERED')).toEqual({
      icon: 'double',
      label: 'Delivered',
      tone: 'grey',
    });
    expect(messageTicks('READ')).toEqual({ icon: 'double', label: 'Read', tone: 'blue' });
    expect(messageTicks('FAILED')).toEqual({ icon: 'failed', label: 'Not sent', tone: 'red' });
  });

  it('shows nothing for received messages', () => {
    expect(messageTicks(null)).toBeNull();
    expect(messageTicks(undefined)).toBeNull();
  });
});
