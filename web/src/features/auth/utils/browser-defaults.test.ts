import { describe, expect, it, vi } from 'vitest';

import { browserTimeZone, countryOfTimeZone } from './browser-defaults';

describe('a new account’s defaults', () => {
  it('come from the browser’s time zone', () => {
    vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions').mockReturnValue({
      timeZone: 'Asia/Jakarta',
    } as Intl.ResolvedDateTimeFormatOptions);
    expect(browserTimeZone()).toBe('Asia/Jakarta');
  });

  it('say nothing for UTC', () => {
    vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions').mockReturnValue({
      timeZone: 'UTC',
    } as Intl.ResolvedDateTimeFormatOptions);
    expect(browserTimeZone()).toBeNull();
  });

  it('name the country of the zone when the server reads its numbers', () => {
    const readable = new Set(['MY', 'ID', 'DE']);
    expect(countryOfTimeZone('Asia/Kuala_Lumpur', readable)).toBe('MY');
    expect(countryOfTimeZone('Asia/Jakarta', readable)).toBe('ID');
    expect(countryOfTimeZone('Europe/Berlin', readable)).toBe('DE');
    expect(countryOfTimeZone('Asia/Tokyo', readable)).toBeNull();
    expect(countryOfTimeZone('Etc/GMT+3', readable)).toBeNull();
    expect(countryOfTimeZone(null, readable)).toBeNull();
  });
});
