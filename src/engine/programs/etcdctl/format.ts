// Small encoders etcdctl's output needs: Go's %q, base64 of UTF-8, JSON with uint64 numbers,
// go-humanize's Bytes, Go's time.Duration and tablewriter's boxes.

import { encodeBase64 } from '../../text/base64.ts';

/** A number too large for a double (uint64 ids), written into JSON unquoted. */
export class RawNumber {
  constructor(readonly digits: string) {}
}

/** JSON.stringify's output, but RawNumber values appear as bare digits. */
export function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.digits;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function base64(text: string): string {
  return encodeBase64(new TextEncoder().encode(text));
}

/** Go's %q for a string: printable characters as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** `--hex`: every byte as \xNN. */
export function hexBytes(s: string): string {
  return [...new TextEncoder().encode(s)]
    .map((b) => '\\x' + b.toString(16).padStart(2, '0'))
    .join('');
}

/** A uint64 held as a decimal string, as 16 hex digits (etcd's %016x / %x of ids). */
export function hex16(decimal: string | number): string {
  return BigInt(decimal).toString(16).padStart(16, '0');
}

/** go-humanize's Bytes (SI units): 24576 -> "25 kB". */
export function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : goWhole(val)} ${units[e]}`;
}

/** Go's %.0f: an exact half rounds to even (20.5 -> "20"), where toFixed(0) gives "21". */
function goWhole(v: number): string {
  const half = v - Math.floor(v) === 0.5;
  return String(half ? 2 * Math.round(v / 2) : Math.round(v));
}

/** Go's time.Duration String() for durations under a minute. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms >= 1000) return `${trimZeros((ms / 1000).toFixed(9))}s`;
  if (ms >= 1) return `${trimZeros(ms.toFixed(6))}ms`;
  return `${trimZeros((ms * 1000).toFixed(3))}µs`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** tablewriter as etcdctl configures it: centred headers, right-aligned cells. */
/** tablewriter's MaxColWidth: a longer cell is wrapped at its spaces. */
const MAX_COL_WIDTH = 30;

/** A cell's lines: words joined while they fit MAX_COL_WIDTH (tablewriter's WrapString). */
function wrapCell(cell: string): string[] {
  if (cell.length <= MAX_COL_WIDTH || !cell.includes(' ')) return [cell];
  const lines: string[] = [];
  let line: string | null = null;
  for (const word of cell.split(' ')) {
    if (line !== null && line.length + 1 + word.length <= MAX_COL_WIDTH) line += ` ${word}`;
    else {
      if (line !== null) lines.push(line);
      line = word;
    }
  }
  lines.push(line ?? '');
  return lines;
}

export function table(header: string[], cells: string[][]): string {
  // A row whose cells wrap takes as many lines as its tallest cell; a wrapped column is as
  // wide as the wrap limit.
  const wrapped = header.map((_, i) => cells.some((r) => wrapCell(r[i]).length > 1));
  const rows = cells.flatMap((r) => {
    const parts = r.map(wrapCell);
    const height = Math.max(...parts.map((p) => p.length));
    return Array.from({ length: height }, (_, k) => parts.map((p) => p[k] ?? ''));
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, wrapped[i] ? MAX_COL_WIDTH : 0, ...rows.map((r) => r[i].length)),
  );
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const centre = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  let out = line;
  out += '|' + header.map((h, i) => ` ${centre(h, widths[i])} `).join('|') + '|\n';
  out += line;
  for (const r of rows)
    out += '|' + r.map((c, i) => ` ${c.padStart(widths[i])} `).join('|') + '|\n';
  return out + line;
}
