// A host's virtual filesystem: an in-memory tree of files and directories with lab-clock mtimes.
//
// Paths are normalised ('//a/./b/../c' -> '/a/c'); a relative path is taken from the working
// directory (root's home, '/root', as in a login shell). `snapshot()` turns the whole tree into
// a plain JSON-able object that `MemoryFileSystem.restore` reads back, so the browser can persist
// a host's files across reloads.
// `/dev/null` and `/dev/zero` are character devices: writes to either vanish, /dev/null reads
// empty and /dev/zero reads zero bytes (one pipe buffer of them, since programs here read their
// whole input at once).

import { decodeBase64, encodeBase64 } from '../text/base64.ts';
import type { LabClock } from './clock.ts';
import { FsError } from './fs-types.ts';
import type { FileStat, FileSystem } from './fs-types.ts';

/** Directories every host has from the start. */
export const STANDARD_DIRS = ['/dev', '/etc', '/run', '/var/lib', '/var/log', '/tmp', '/root'];

/** What a read of each device returns: nothing, or a pipe buffer's worth (64 KiB) of zeros. */
const DEVICES = { '/dev/null': 0, '/dev/zero': 65536 } as const;
type Device = keyof typeof DEVICES;

type Entry =
  | { type: 'dir'; mtime: number }
  | { type: 'file'; data: Uint8Array; mtime: number }
  | { type: 'char'; device: Device; mtime: number };

/** The persisted form: one record per path, file contents base64-encoded. */
export interface FsSnapshot {
  version: 1;
  entries: { path: string; type: 'file' | 'dir'; mtime: number; data?: string }[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Resolves `path` against `cwd` and removes '.', '..' and repeated slashes. */
export function normalizePath(path: string, cwd = '/root'): string {
  const full = path.startsWith('/') ? path : `${cwd}/${path}`;
  const parts: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export class MemoryFileSystem implements FileSystem {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly clock: LabClock,
    private readonly cwd = '/root',
  ) {
    this.entries.set('/', { type: 'dir', mtime: clock.now() });
    for (const dir of STANDARD_DIRS) this.mkdir(dir, { recursive: true });
    for (const device of Object.keys(DEVICES) as Device[])
      this.entries.set(device, { type: 'char', device, mtime: clock.now() });
  }

  readFile(path: string): Uint8Array {
    const p = this.resolve(path);
    const entry = this.lookup(p);
    if (entry.type === 'dir') throw new FsError('EISDIR', p);
    if (entry.type === 'char') return new Uint8Array(DEVICES[entry.device]);
    return entry.data.slice();
  }

  readText(path: string): string {
    return decoder.decode(this.readFile(path));
  }

  writeFile(path: string, data: Uint8Array | string): void {
    const p = this.resolve(path);
    if (p === '/') throw new FsError('EISDIR', p);
    this.requireDir(parentOf(p));
    const old = this.entries.get(p);
    if (old?.type === 'dir') throw new FsError('EISDIR', p);
    if (old?.type === 'char') return;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data.slice();
    this.entries.set(p, { type: 'file', data: bytes, mtime: this.clock.now() });
  }

  /** Appends to a file, creating it when missing (the shell's `>>`). */
  appendFile(path: string, data: Uint8Array | string): void {
    const p = this.resolve(path);
    const old = this.entries.get(p);
    if (old?.type !== 'file') return this.writeFile(p, data);
    const extra = typeof data === 'string' ? encoder.encode(data) : data;
    const joined = new Uint8Array(old.data.length + extra.length);
    joined.set(old.data);
    joined.set(extra, old.data.length);
    this.entries.set(p, { type: 'file', data: joined, mtime: this.clock.now() });
  }

  mkdir(path: string, opts?: { recursive?: boolean }): void {
    const p = this.resolve(path);
    const existing = this.entries.get(p);
    if (existing) {
      if (opts?.recursive && existing.type === 'dir') return;
      throw new FsError('EEXIST', p);
    }
    const parent = parentOf(p);
    if (opts?.recursive && !this.entries.has(parent)) this.mkdir(parent, opts);
    this.requireDir(parent);
    this.entries.set(p, { type: 'dir', mtime: this.clock.now() });
  }

  list(path: string): string[] {
    const p = this.resolve(path);
    this.requireDir(p);
    const prefix = p === '/' ? '/' : p + '/';
    const names: string[] = [];
    for (const key of this.entries.keys()) {
      if (key !== p && key.startsWith(prefix) && !key.slice(prefix.length).includes('/'))
        names.push(key.slice(prefix.length));
    }
    // Byte order, as `ls` prints under LC_ALL=C.
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  stat(path: string): FileStat {
    const p = this.resolve(path);
    const entry = this.lookup(p);
    if (entry.type === 'dir') return { type: 'dir', size: 4096, mtime: entry.mtime };
    if (entry.type === 'char') return { type: 'char', size: 0, mtime: entry.mtime };
    return { type: 'file', size: entry.data.length, mtime: entry.mtime };
  }

  exists(path: string): boolean {
    return this.entries.has(this.resolve(path));
  }

  remove(path: string, opts?: { recursive?: boolean }): void {
    const p = this.resolve(path);
    if (p === '/') throw new FsError('EINVAL', p);
    const entry = this.lookup(p);
    if (entry.type === 'dir') {
      const children = this.list(p);
      if (children.length > 0 && !opts?.recursive) throw new FsError('ENOTEMPTY', p);
      for (const child of children) this.remove(`${p}/${child}`, opts);
    }
    this.entries.delete(p);
  }

  snapshot(): FsSnapshot {
    const entries: FsSnapshot['entries'] = [];
    const paths = [...this.entries.keys()].sort();
    for (const path of paths) {
      const entry = this.entries.get(path) as Entry;
      if (entry.type === 'char') continue; // every host makes its devices anew
      if (entry.type === 'dir') entries.push({ path, type: 'dir', mtime: entry.mtime });
      else entries.push({ path, type: 'file', mtime: entry.mtime, data: encodeBase64(entry.data) });
    }
    return { version: 1, entries };
  }

  /** Rebuilds a filesystem from `snapshot()`; throws FsError EINVAL on a malformed snapshot. */
  static restore(clock: LabClock, snapshot: FsSnapshot, cwd = '/root'): MemoryFileSystem {
    const fs = new MemoryFileSystem(clock, cwd);
    if (snapshot?.version !== 1 || !Array.isArray(snapshot.entries))
      throw new FsError('EINVAL', 'snapshot');
    // Parents sort before their children, so each entry's directory already exists.
    const sorted = [...snapshot.entries].sort((a, b) => a.path.length - b.path.length);
    for (const e of sorted) {
      if (typeof e.path !== 'string' || !e.path.startsWith('/') || typeof e.mtime !== 'number')
        throw new FsError('EINVAL', String(e.path));
      const p = normalizePath(e.path);
      if (e.type === 'dir') {
        fs.mkdir(p, { recursive: true });
        fs.entries.set(p, { type: 'dir', mtime: e.mtime });
      } else if (e.type === 'file' && typeof e.data === 'string') {
        const data = decodeBase64(e.data);
        if (!data) throw new FsError('EINVAL', 'snapshot');
        fs.writeFile(p, data);
        fs.entries.set(p, { type: 'file', data: fs.readFile(p), mtime: e.mtime });
      } else {
        throw new FsError('EINVAL', p);
      }
    }
    return fs;
  }

  private resolve(path: string): string {
    return normalizePath(path, this.cwd);
  }

  /** The entry at `p`; ENOTDIR when a parent on the way is a file, ENOENT when missing. */
  private lookup(p: string): Entry {
    const entry = this.entries.get(p);
    if (entry) return entry;
    for (let dir = parentOf(p); dir !== '/'; dir = parentOf(dir)) {
      if (this.entries.get(dir)?.type === 'file') throw new FsError('ENOTDIR', p);
    }
    throw new FsError('ENOENT', p);
  }

  private requireDir(p: string): void {
    if (this.lookup(p).type !== 'dir') throw new FsError('ENOTDIR', p);
  }
}

/** A filesystem as a process in directory `cwd()` sees it: relative paths start there (`cd`). */
export class WorkingDirFileSystem implements FileSystem {
  constructor(
    private readonly fs: FileSystem,
    private readonly cwd: () => string,
  ) {}

  private at(path: string): string {
    return normalizePath(path, this.cwd());
  }

  readFile(path: string): Uint8Array {
    return this.fs.readFile(this.at(path));
  }
  readText(path: string): string {
    return this.fs.readText(this.at(path));
  }
  writeFile(path: string, data: Uint8Array | string): void {
    this.fs.writeFile(this.at(path), data);
  }
  mkdir(path: string, opts?: { recursive?: boolean }): void {
    this.fs.mkdir(this.at(path), opts);
  }
  list(path: string): string[] {
    return this.fs.list(this.at(path));
  }
  stat(path: string): FileStat {
    return this.fs.stat(this.at(path));
  }
  exists(path: string): boolean {
    return this.fs.exists(this.at(path));
  }
  remove(path: string, opts?: { recursive?: boolean }): void {
    this.fs.remove(this.at(path), opts);
  }
}
