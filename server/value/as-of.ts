// The instant a scoreboard is judged at (`kairos report value --as-of T`, `GET /dashboard?as_of=T`):
// the goal windows that have ended by then are the ones counted (docs/value.md). One parser for
// the command and the service, so both accept and refuse the same texts.

/** ISO 8601 with a time and an offset (`Z` or `±hh:mm`), seconds and fractions optional. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** What a good `as-of` looks like, for messages. */
export const AS_OF_EXAMPLE = "2026-07-01T00:00:00Z";

/**
 * The epoch milliseconds of an ISO 8601 time with an offset, or undefined when `text` is not one
 * (a date alone, no offset, a day that does not exist).
 */
export function parseAsOf(text: string): number | undefined {
  if (!ISO_WITH_OFFSET.test(text)) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: refuse a calendar date that does not exist.
  const [y, m, d] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  return ms;
}
