// Argument parsing shared by every `ip` object: iproute2's keyword abbreviation rule, IPv4
// addresses and prefixes, link-layer addresses and numbers.

import {
  formatIpv4,
  ipv4OrThrow,
  parseIpv4 as parseIpv4Text,
  prefixMask,
} from '../../packet/ipaddr.ts';
import { invalidPrefix, ExitError } from './errors.ts';

/**
 * iproute2's `matches(cmd, pattern)`: true when what was typed is a prefix of the keyword, so
 * `ip a` is `ip address` and `ip rou` is `ip route`. The empty string matches anything.
 */
export function matches(typed: string, keyword: string): boolean {
  return typed.length <= keyword.length && keyword.startsWith(typed);
}

/**
 * An IPv4 address as iproute2's get_addr_ipv4 reads it (`010` is octal 8, `10` is 10.0.0.0),
 * as a dotted quad.
 */
export function parseIpv4(text: string): string | null {
  const value = parseIpv4Text(text, 'iproute2');
  return value === null ? null : formatIpv4(value);
}

export interface Prefix {
  addr: string;
  len: number;
  /** The prefix length was given explicitly (`/24`), not implied (/32). */
  hasLen: boolean;
}

/** `A.B.C.D[/LEN]` or `default`/`any`/`all` (0.0.0.0/0). */
export function parsePrefix(text: string): Prefix {
  if (text === 'default' || text === 'any' || text === 'all') {
    return { addr: '0.0.0.0', len: 0, hasLen: true };
  }
  const slash = text.indexOf('/');
  const addr = parseIpv4(slash < 0 ? text : text.slice(0, slash));
  if (addr === null) throw invalidPrefix(text);
  if (slash < 0) return { addr, len: 32, hasLen: false };
  const lenText = text.slice(slash + 1);
  if (!/^\d+$/.test(lenText) || Number(lenText) > 32) throw invalidPrefix(text);
  return { addr, len: Number(lenText), hasLen: true };
}

/** An address where iproute2 expects one (`via`, `src`, `route get`): same error as a prefix. */
export function parseAddress(text: string): string {
  const addr = parseIpv4(text);
  if (addr === null) throw invalidPrefix(text);
  return addr;
}

/** The network part of `addr/len`. */
export function networkOf(addr: string, len: number): string {
  return formatIpv4((ipv4OrThrow(addr) & prefixMask(len)) >>> 0);
}

/** The directed broadcast of `addr/len` (`brd +`). */
export function broadcastOf(addr: string, len: number): string {
  return formatIpv4((ipv4OrThrow(addr) | ~prefixMask(len)) >>> 0);
}

/**
 * A link-layer address as iproute2's ll_addr_a2n reads it: colon-separated hex bytes. The
 * error names the byte that failed, as the real one does (`"zz" is invalid lladdr.`).
 */
export function parseLladdr(text: string): string {
  const bytes: string[] = [];
  for (const part of text.split(':')) {
    const match = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(part);
    if (match === null) throw new ExitError(1, `"${part}" is invalid lladdr.\n`);
    const value = parseInt(match[1] ?? '', 16);
    if (value > 255) throw new ExitError(1, `"${part}" is not a valid lladdr.\n`);
    bytes.push(value.toString(16).padStart(2, '0'));
  }
  return bytes.join(':');
}

/** An unsigned decimal (or 0x hex) integer, or null. */
export function parseUnsigned(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text, 16);
  return null;
}

/** iproute2's get_integer (strtol, base 0): a signed int in decimal, hex or octal. */
export function parseInteger(text: string): number | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (!m) return null;
  const digits = m[2];
  const magnitude = /^0[xX]/.test(digits)
    ? parseInt(digits, 16)
    : digits.startsWith('0')
      ? parseInt(digits, 8)
      : Number(digits);
  const value = m[1] === '-' ? -magnitude : magnitude;
  return value >= -(2 ** 31) && value < 2 ** 31 ? value : null;
}

/** Walks a command's words; `value()` takes the word a keyword needs (iproute2's NEXT_ARG). */
export class ArgCursor {
  private index = 0;

  constructor(private readonly args: string[]) {}

  /** The next word, or undefined at the end. */
  take(): string | undefined {
    return this.args[this.index++];
  }

  /** The word after a keyword; a missing one ends the command as iproute2 does, exit 255. */
  value(): string {
    const word = this.args[this.index++];
    if (word === undefined) {
      throw new ExitError(255, 'Command line is not complete. Try option "help"\n');
    }
    return word;
  }

  /** The words not taken yet. */
  rest(): string[] {
    return this.args.slice(this.index);
  }
}
