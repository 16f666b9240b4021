import { getCountryForTimezone } from 'countries-and-timezones';

/** The browser's IANA time zone (`Asia/Jakarta`); null when it reports none, or only UTC. */
export function browserTimeZone(): string | null {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && zone !== 'UTC' && zone !== 'Etc/UTC' ? zone : null;
  } catch {
    return null;
  }
}

/**
 * The country a time zone belongs to (`Asia/Jakarta` → `ID`), for reading national-form phone
 * numbers; null when the zone names no country or the server cannot read numbers of it.
 */
export function countryOfTimeZone(
  zone: string | null,
  readable: ReadonlySet<string>,
): string | null {
  if (!zone) return null;
  const code = getCountryForTimezone(zone)?.id ?? null;
  return code && readable.has(code) ? code : null;
}
