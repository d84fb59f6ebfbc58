// ls [-l] [-a] [-A] [-1] [-d] [FILE]...: list directory contents, in columns on a terminal and
// one per line into a pipe, as GNU ls does (LC_ALL=C order, 80-column terminal).

import type { FileStat } from '../../os/fs-types.ts';
import { normalizePath } from '../../os/fs.ts';
import type { HostContext, Program } from '../types.ts';
import { errnoText, getopt, stdoutIsTTY, usageError } from './common.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = (365.2425 / 2) * 24 * 3600 * 1000;
const TERMINAL_WIDTH = 80;

interface Item {
  name: string;
  path: string;
  stat: FileStat;
}

/** `ls -l`'s date: 'Jan  1 07:32' within six months of now, 'Jan  1  2025' otherwise (UTC). */
export function lsDate(mtime: number, now: number): string {
  const d = new Date(mtime);
  const day = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)}`;
  if (Math.abs(now - mtime) < SIX_MONTHS_MS && mtime <= now + 3600_000) {
    const hh = String(d.getUTCHours()).padStart(2, '0');
    const mm = String(d.getUTCMinutes()).padStart(2, '0');
    return `${day} ${hh}:${mm}`;
  }
  return `${day}  ${d.getUTCFullYear()}`;
}

/** GNU ls -C: the most columns that fit, filled top to bottom, two spaces between columns. */
export function columns(names: string[], width = TERMINAL_WIDTH): string {
  if (names.length === 0) return '';
  for (let cols = names.length; cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    if (Math.ceil(names.length / rows) !== cols) continue;
    const widths: number[] = [];
    for (let c = 0; c < cols; c++) {
      const col = names.slice(c * rows, (c + 1) * rows);
      widths.push(Math.max(...col.map((n) => n.length)) + (c < cols - 1 ? 2 : 0));
    }
    if (cols > 1 && widths.reduce((a, b) => a + b, 0) > width) continue;
    let out = '';
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < cols; c++) {
        const name = names[c * rows + r];
        if (name === undefined) continue;
        const last = c === cols - 1 || names[(c + 1) * rows + r] === undefined;
        line += last ? name : name.padEnd(widths[c]);
      }
      out += line + '\n';
    }
    return out;
  }
  return '';
}

function mode(item: Item): string {
  if (item.stat.type === 'file') return '-rw-r--r--';
  if (item.stat.type === 'char') return 'crw-rw-rw-';
  return item.path === '/tmp' ? 'drwxrwxrwt' : 'drwxr-xr-x';
}

function longListing(items: Item[], host: HostContext, withTotal: boolean): string {
  const links = (it: Item) =>
    it.stat.type === 'dir'
      ? 2 +
        host.fs.list(it.path).filter((n) => host.fs.stat(`${it.path}/${n}`).type === 'dir').length
      : 1;
  const rows = items.map((it) => ({ it, links: String(links(it)), size: String(it.stat.size) }));
  const lw = Math.max(0, ...rows.map((r) => r.links.length));
  const sw = Math.max(0, ...rows.map((r) => r.size.length));
  const now = host.clock.now();
  let out = '';
  if (withTotal) {
    const blocks = items.reduce((sum, it) => sum + Math.ceil(it.stat.size / 4096) * 4, 0);
    out += `total ${blocks}\n`;
  }
  for (const r of rows) {
    out += `${mode(r.it)} ${r.links.padStart(lw)} root root ${r.size.padStart(sw)} ${lsDate(r.it.stat.mtime, now)} ${r.it.name}\n`;
  }
  return out;
}

export const ls: Program = async (argv, io, host) => {
  const args = getopt('ls', argv, 'laA1d', { all: 'a', 'almost-all': 'A', directory: 'd' });
  if ('error' in args) return usageError(io, 'ls', args.error, 2);
  const o = args.opts;
  const long = o.has('l');
  const oneLine = o.has('1') || !stdoutIsTTY(io);
  const render = (items: Item[], withTotal: boolean) =>
    long
      ? longListing(items, host, withTotal)
      : oneLine
        ? items.map((i) => i.name + '\n').join('')
        : columns(items.map((i) => i.name));

  let status = 0;
  const files: Item[] = [];
  const dirs: Item[] = [];
  const operands = args.operands.length ? args.operands : ['.'];
  for (const name of operands) {
    // A relative name stays relative: host.fs takes it from the shell's working directory.
    const path = name.startsWith('/') ? normalizePath(name) : name;
    try {
      const stat = host.fs.stat(path);
      (stat.type === 'dir' && !o.has('d') ? dirs : files).push({ name, path, stat });
    } catch (err) {
      io.stderr(`ls: cannot access '${name}': ${errnoText(err)}\n`);
      status = 2;
    }
  }
  const sections: string[] = [];
  if (files.length) sections.push(render(files, false));
  const headers = operands.length > 1 || status !== 0;
  for (const dir of dirs) {
    const base = dir.path === '/' ? '/' : dir.path + '/';
    const names = host.fs
      .list(dir.path)
      .filter((n) => o.has('a') || o.has('A') || !n.startsWith('.'));
    const items: Item[] = names.map((n) => ({
      name: n,
      path: base + n,
      stat: host.fs.stat(base + n),
    }));
    if (o.has('a')) {
      const parent = `${base}..`;
      items.unshift(
        { name: '.', path: dir.path, stat: dir.stat },
        { name: '..', path: parent, stat: host.fs.stat(parent) },
      );
    }
    sections.push((headers ? `${dir.name}:\n` : '') + render(items, true));
  }
  io.stdout(sections.join('\n'));
  return status;
};
