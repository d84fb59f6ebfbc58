// What the small programs share: GNU-style option parsing, reading inputs, error lines.

import type { HostContext, ProgramIO } from '../types.ts';
import { fsErrorText } from '../../os/fs-types.ts';
import { own } from '../../text/own.ts';
import { textInput, type InputStream } from '../../os/pipe.ts';

export interface ParsedArgs {
  /** Flags seen (a flag repeated keeps the last value); values for options that take one. */
  opts: Map<string, string | true>;
  operands: string[];
}

/**
 * GNU getopt: short options may be grouped (`-vn`), an option's value may be attached (`-n5`)
 * or the next argument; options may follow operands; `--` ends options; `-` is an operand.
 * `spec` lists flag letters, and letters followed by ':' take a value. Returns an error line
 * (without the "Try ... --help" hint) on bad input.
 */
export function getopt(
  prog: string,
  argv: string[],
  spec: string,
  longOpts: Record<string, string> = {},
): ParsedArgs | { error: string } {
  const opts = new Map<string, string | true>();
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name, value] = arg.slice(2).split(/=(.*)/s, 2);
      const letter = own(longOpts, name);
      if (!letter) return { error: `${prog}: unrecognized option '${arg}'` };
      if (spec.includes(letter + ':')) {
        const v = value ?? argv[++i];
        if (v === undefined) return { error: `${prog}: option '--${name}' requires an argument` };
        opts.set(letter, v);
      } else opts.set(letter, true);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      const at = spec.indexOf(letter);
      if (at < 0 || letter === ':') return { error: `${prog}: invalid option -- '${letter}'` };
      if (spec[at + 1] === ':') {
        const v = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (v === undefined)
          return { error: `${prog}: option requires an argument -- '${letter}'` };
        opts.set(letter, v);
        break;
      }
      opts.set(letter, true);
    }
  }
  return { opts, operands };
}

/** Prints a usage error the way coreutils does and returns `status`. */
export function usageError(io: ProgramIO, prog: string, error: string, status = 1): number {
  io.stderr(`${error}\nTry '${prog} --help' for more information.\n`);
  return status;
}

/** strerror() text for a filesystem error (coreutils' wording). */
export const errnoText = fsErrorText;

/**
 * A file operand as a stream, or stdin for '-' (read as it arrives). Throws FsError (EISDIR for
 * a directory) at once, as open() fails before anything is read.
 */
export function openOperand(name: string, io: ProgramIO, host: HostContext): InputStream {
  if (name === '-') return io.stdin;
  return textInput(host.fs.readText(name));
}

/** Splits text into lines, keeping each line's '\n' (the last line may lack one). */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/**
 * Whether stdout is the terminal rather than a pipe or a file. The shell sets `isTTY` on the
 * ProgramIO it passes; other callers are taken to be terminals.
 */
export function stdoutIsTTY(io: ProgramIO): boolean {
  return (io as ProgramIO & { isTTY?: boolean }).isTTY !== false;
}
