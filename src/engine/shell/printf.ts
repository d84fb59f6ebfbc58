// bash's `printf [-v var] FORMAT [ARGUMENTS...]`: FORMAT's backslash escapes and conversions
// (%s %b %q %c %d %i %u %x %X %o %e %E %f %F %g %G %%, with flags, width and precision), reused
// while arguments remain. A missing argument is '' or 0; a bad number is an error and 0.

import { own } from '../text/own.ts';

/** Backslash escapes of a format (and of %b's argument): \n \t \\ \0NNN \xHH ... */
function unescape(text: string, i: number): { out: string; next: number } {
  const c = text[i + 1];
  const simple: Record<string, string> = {
    n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\',
    '"': '"', "'": "'",
  }; // prettier-ignore
  if (c !== undefined && own(simple, c) !== undefined) return { out: simple[c], next: i + 2 };
  const oct = /^0?[0-7]{1,3}/.exec(text.slice(i + 1, i + 5));
  if (oct)
    return { out: String.fromCharCode(parseInt(oct[0], 8) & 255), next: i + 1 + oct[0].length };
  const hex = /^x([0-9a-fA-F]{1,2})/.exec(text.slice(i + 1));
  if (hex) return { out: String.fromCharCode(parseInt(hex[1], 16)), next: i + 1 + hex[0].length };
  return { out: '\\', next: i + 1 };
}

function unescapeAll(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    if (text[i] === '\\' && i + 1 < text.length) {
      const e = unescape(text, i);
      out += e.out;
      i = e.next;
    } else out += text[i++];
  }
  return out;
}

/** `%q`: quoted so the shell reads it back as one word. */
function shellQuote(s: string): string {
  if (s === '') return "''";
  return s.replace(/[^\w@%+=:,./-]/g, '\\$&');
}

function pad(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[+-]/.test(body) ? body[0] : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}

export interface PrintfResult {
  out: string;
  errors: string[];
}

/** Formats like bash's printf; `errors` are the messages to print after `printf: `. */
export function formatPrintf(format: string, args: string[]): PrintfResult {
  const errors: string[] = [];
  let out = '';
  let argi = 0;
  const next = () => (argi < args.length ? args[argi++] : undefined);
  const number = (arg: string | undefined, float: boolean): number => {
    if (arg === undefined || arg === '') return 0;
    if (/^['"]/.test(arg)) return arg.charCodeAt(1) || 0;
    const re = float ? /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i : /^\s*[+-]?(0x[0-9a-f]+|\d+)/i;
    const m = re.exec(arg);
    if (!m || m[0].length !== arg.length) errors.push(`${arg}: invalid number`);
    return m ? Number(m[0]) : 0;
  };
  do {
    const start = argi;
    for (let i = 0; i < format.length;) {
      const c = format[i];
      if (c === '\\') {
        const e = unescape(format, i);
        out += e.out;
        i = e.next;
        continue;
      }
      if (c !== '%') {
        out += c;
        i++;
        continue;
      }
      const m = /^%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])?/.exec(format.slice(i));
      const spec = m as RegExpExecArray;
      i += spec[0].length;
      const [, flags, w, p, conv] = spec;
      if (conv === '%') {
        out += '%';
        continue;
      }
      const width = w === '*' ? number(next(), false) : Number(w ?? 0);
      const precision =
        p === undefined ? undefined : p === '*' ? number(next(), false) : Number(p || 0);
      const arg = next();
      switch (conv) {
        case 's':
        case 'b':
        case 'q': {
          let s = arg ?? '';
          if (conv === 'b') s = unescapeAll(s);
          if (conv === 'q') s = shellQuote(s);
          if (precision !== undefined) s = s.slice(0, precision);
          out += pad(s, flags, width, false);
          break;
        }
        case 'c':
          out += pad((arg ?? '').slice(0, 1), flags, width, false);
          break;
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
          const n = Math.trunc(number(arg, false));
          let body =
            conv === 'x' || conv === 'X' || conv === 'o'
              ? (n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n)).toString(conv === 'o' ? 8 : 16)
              : String(n);
          if (conv === 'X') body = body.toUpperCase();
          if (precision !== undefined) body = body.padStart(precision, '0');
          if (flags.includes('+') && n >= 0 && (conv === 'd' || conv === 'i')) body = '+' + body;
          out += pad(body, flags, width, true);
          break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G': {
          const n = number(arg, true);
          const digits = precision ?? 6;
          let body =
            conv === 'f' || conv === 'F'
              ? n.toFixed(digits)
              : conv === 'e' || conv === 'E'
                ? n.toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2')
                : String(Number(n.toPrecision(digits || 1)));
          if (conv === 'E' || conv === 'G') body = body.toUpperCase();
          if (flags.includes('+') && n >= 0) body = '+' + body;
          out += pad(body, flags, width, true);
          break;
        }
        default:
          errors.push(`\`${conv ?? ''}': invalid format character`);
          return { out, errors };
      }
    }
    if (argi === start) break;
  } while (argi < args.length);
  return { out, errors };
}
