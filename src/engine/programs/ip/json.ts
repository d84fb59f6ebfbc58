// JSON output as iproute2's json_writer prints it: compact (`-j`) or pretty (`-j -p`).
// Pretty mode has its own shape: arrays open with "[ " and close with " ]" on the same line,
// object members go one per line indented 4 spaces per depth, and the closing brace goes on
// its own line.

/** A number printed with a fixed format, as iproute2 prints timers (`"hold_timer":0.00`). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type Json = string | number | boolean | null | JsonNumber | Json[] | { [key: string]: Json };

export function formatJson(value: Json, pretty: boolean): string {
  return pretty ? prettyValue(value, 0) : compactValue(value);
}

function compactValue(value: Json): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(compactValue).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([key, item]) => `${JSON.stringify(key)}:${compactValue(item)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

function prettyValue(value: Json, depth: number): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((item) => prettyValue(item, depth + 1)).join(',')} ]`;
  }
  if (value !== null && typeof value === 'object') {
    const inner = '    '.repeat(depth + 1);
    const members = Object.entries(value).map(
      ([key, item]) => `\n${inner}${JSON.stringify(key)}: ${prettyValue(item, depth + 1)}`,
    );
    if (members.length === 0) return '{}';
    return `{${members.join(',')}\n${'    '.repeat(depth)}}`;
  }
  return JSON.stringify(value);
}
