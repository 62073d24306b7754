// RQ's timestamps: UTC as `%Y-%m-%dT%H:%M:%S.%fZ` text in job and worker hashes, Unix seconds as
// the scores of its registries.

/** A date as RQ's `utcformat` writes it (microseconds, `Z`). */
export function rqTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}000Z`;
}

/** A timestamp RQ wrote (with or without fractional seconds), or undefined for empty text. */
export function parseRqTimestamp(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/.exec(text);
  if (!match) return undefined;
  const millis = (match[2] ?? '').padEnd(3, '0').slice(0, 3);
  return new Date(`${match[1]}.${millis}Z`);
}

/** Now, in Unix seconds: a registry's score base. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
