import { getToken } from '@/lib/auth-token';

/** Where the server serves a campaign's recipients as CSV (formula-escaped there). */
export function recipientsCsvUrl(campaignId: string): string {
  return `/export/campaigns/${encodeURIComponent(campaignId)}/recipients.csv`;
}

/**
 * Downloads the recipients CSV: fetched with the Bearer token (a plain link would carry none),
 * then saved through a temporary object URL. Throws an Error with a sentence to show on failure.
 */
export async function downloadRecipientsCsv(
  campaignId: string,
  fileName: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const token = getToken();
  let response: Response;
  try {
    response = await fetchImpl(recipientsCsvUrl(campaignId), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw new Error('Could not reach the server to export the recipients.');
  }
  if (response.status === 404) throw new Error('This campaign no longer exists.');
  if (!response.ok) throw new Error(`The export failed (the server answered ${response.status}).`);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = csvFileName(fileName);
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A campaign title as a file name: "Dec promo/VIP" → "dec-promo-vip-recipients.csv". */
export function csvFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'campaign'}-recipients.csv`;
}
