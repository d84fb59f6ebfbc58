// How iproute2 fails. Every failure is thrown as `ExitError` carrying the exact text the real
// tool writes to stderr and its exit status; the program's entry point prints it and returns.
//
// Exit statuses seen on iproute2 6.1: a bad argument that the parser rejects with exit(-1) is
// 255; a helper that returns -1 (Cannot find device, invalid prefix, invalid lladdr) is 1; an
// error answered by the kernel over netlink is 2.

import { NetlinkError, strerror } from '../../kernel/types.ts';

export class ExitError extends Error {
  constructor(
    readonly code: number,
    /** What goes to stderr, newline included. */
    readonly stderr: string,
  ) {
    super(stderr.trimEnd());
    this.name = 'ExitError';
  }
}

/** `Error: argument "X" is wrong: WHY` (iproute2's invarg). Some callers end WHY with '\n'. */
export function invalidArgument(arg: string, why: string): ExitError {
  return new ExitError(255, `Error: argument "${arg}" is wrong: ${why}\n`);
}

/** iproute2's parse_on_off: its exit status is -EINVAL's low byte. */
export function parseOnOff(key: string, value: string): boolean {
  if (value === 'on' || value === 'off') return value === 'on';
  throw new ExitError(
    234,
    `Error: argument of "${key}" must be one of "off", "on", not "${value}"\n`,
  );
}

/** `Error: either "KEY" is duplicate, or "ARG" is a garbage.` (iproute2's duparg2). */
export function duplicateOrGarbage(key: string, arg: string): ExitError {
  return new ExitError(255, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`);
}

export function cannotFindDevice(name: string, code = 1): ExitError {
  return new ExitError(code, `Cannot find device "${name}"\n`);
}

export function invalidPrefix(arg: string): ExitError {
  return new ExitError(1, `Error: any valid prefix is expected rather than "${arg}".\n`);
}

export function unknownCommand(cmd: string, help: string): ExitError {
  return new ExitError(255, `Command "${cmd}" is unknown, try "${help}".\n`);
}

/**
 * What iproute2 prints when the kernel refuses a request: the extended ack as
 * `Error: <msg>.` when the kernel gave one, else `RTNETLINK answers: <strerror>`.
 */
export function kernelRefusal(err: NetlinkError, code = 2): ExitError {
  if (err.extack !== undefined) return new ExitError(code, `Error: ${err.extack}.\n`);
  return new ExitError(code, `RTNETLINK answers: ${strerror(err.errno)}\n`);
}

/** Runs a kernel call, turning a NetlinkError into the message iproute2 prints. */
export function viaNetlink<T>(call: () => T, code = 2): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof NetlinkError) throw kernelRefusal(err, code);
    throw err;
  }
}
