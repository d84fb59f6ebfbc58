// A host's virtual filesystem, as programs see it. Paths are absolute ('/run/flannel/subnet.env').
// Errors throw FsError with the errno name that coreutils would report.

import { strerror } from './errno.ts';

export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'ENOTEMPTY' | 'EINVAL',
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
    this.name = 'FsError';
  }
}

/** strerror() text for a filesystem error, as bash and coreutils print it. */
export function fsErrorText(err: unknown): string {
  if (err instanceof FsError) return strerror(err.code);
  return err instanceof Error ? err.message : String(err);
}

export interface FileStat {
  /** 'char' is a character device: /dev/null, /dev/zero. */
  type: 'file' | 'dir' | 'char';
  size: number;
  /** Lab-clock time of the last write, ms since the epoch. */
  mtime: number;
}

export interface FileSystem {
  readFile(path: string): Uint8Array;
  readText(path: string): string;
  /** Creates or replaces a file; its directory must exist (ENOENT otherwise). */
  writeFile(path: string, data: Uint8Array | string): void;
  mkdir(path: string, opts?: { recursive?: boolean }): void;
  /** Names in a directory, sorted. */
  list(path: string): string[];
  stat(path: string): FileStat;
  exists(path: string): boolean;
  remove(path: string, opts?: { recursive?: boolean }): void;
}
