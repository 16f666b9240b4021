import { afterEach, describe, expect, it, vi } from 'vitest';

import { clearToken, setToken } from '@/lib/auth-token';

import { csvFileName, downloadRecipientsCsv, recipientsCsvUrl } from './export';

afterEach(() => {
  clearToken();
  vi.restoreAllMocks();
});

describe('recipients CSV export', () => {
  it('names the file after the campaign', () => {
    expect(csvFileName('Dec promo/VIP')).toBe('dec-promo-vip-recipients.csv');
    expect(csvFileName('  ✨ ')).toBe('campaign-recipients.csv');
    expect(recipientsCsvUrl('a/b')).toBe('/export/campaigns/a%2Fb/recipients.csv');
  });

  it('fetches with the Bearer token and saves the blob', async () => {
    setToken('tok-123');
    const fetchImpl = vi.fn<typeof fetch>(() =>
      Promise.resolve(new Response('phone,name\n', { status: 200 })),
    );
    const created = vi.fn(() => 'blob:csv');
    const revoked = vi.fn();
    URL.createObjectURL = created;
    URL.revokeObjectURL = revoked;
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.download);
    });

    await downloadRecipientsCsv('42', 'Promo', fetchImpl);

    expect(fetchImpl).toHaveBeenCalledWith('/export/campaigns/42/recipients.csv', {
      headers: { authorization: 'Bearer tok-123' },
    });
    expect(clicked).toEqual(['promo-recipients.csv']);
    expect(revoked).toHaveBeenCalledWith('blob:csv');
  });

  it('says plainly what went wrong', async () => {
    const notFound = vi.fn<typeof fetch>(() => Promise.resolve(new Response('', { status: 404 })));
    await expect(downloadRecipientsCsv('1', 'x', notFound)).rejects.toThrow(
      'This campaign no longer exists.',
    );
    const offline = vi.fn<typeof fetch>(() => Promise.reject(new TypeError('network')));
    await expect(downloadRecipientsCsv('1', 'x', offline)).rejects.toThrow(
      'Could not reach the server to export the recipients.',
    );
  });
});
