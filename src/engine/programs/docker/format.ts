// How docker/cli v18.06 prints: tables through Go's text/tabwriter (minwidth 20, padding 3),
// durations through go-units' HumanDuration, times as RFC 3339 with nanoseconds.

/**
 * text/tabwriter with (minwidth 20, tabwidth 1, padding 3, ' ', 0): the last column is not
 * padded. kubectl's printers use minwidth 6.
 */
export function tabwrite(rows: string[][], minWidth = 20): string {
  const widths: number[] = [];
  for (const row of rows)
    row
      .slice(0, -1)
      .forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? minWidth, cell.length + 3)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** Go's time.RFC3339Nano in UTC (trailing zeros of the fraction dropped); 0 is Go's zero time. */
export function rfc3339Nano(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00Z';
  return new Date(ms)
    .toISOString()
    .replace(/\.?0+Z$/, 'Z')
    .replace(/\.Z$/, 'Z');
}
