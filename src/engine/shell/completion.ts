// Tab completion: given a line and the cursor, the word under the cursor and what it could be —
// command names, a program's subcommands (its CompletionSpec), interface and netns names, paths.

import type { HostContext } from '../programs/types.ts';
import { own } from '../text/own.ts';

export interface Completion {
  /** The span of `line` to replace: the word being completed, up to the cursor. */
  from: number;
  to: number;
  /** Text to put there: the candidates' common prefix, plus a space when only one fits. */
  replace: string;
  /** Every match (sorted); more than one means the UI may list them. */
  candidates: string[];
}

/** How Tab completes a program's words (each program's comes with it in the registry). */
export interface CompletionSpec {
  /** Words after the command ('') and after each subcommand ('route': after `ip route`). */
  subcommands?: Record<string, readonly string[]>;
  /** Short forms of the first subcommand: `ip r` is `ip route`. */
  abbreviations?: Record<string, string>;
  /** Words that follow any subcommand (systemctl's units). */
  operands?: readonly string[];
}

/** The completion of the program named `name`, if it has one. */
export type CompletionOf = (name: string) => CompletionSpec | undefined;

/** Words after which an interface name comes. */
const IFACE_KEYWORDS = new Set(['dev', 'master', '-i', '-I', 'oif', 'iif']);

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0];
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function interfaces(host: HostContext, ns: string): string[] {
  try {
    return host.kernel.linkDump(ns).map((l) => l.name);
  } catch {
    return [];
  }
}

function netnsNames(host: HostContext): string[] {
  try {
    return host.kernel.netnsList().filter((n) => n !== '');
  } catch {
    return [];
  }
}

/** Path candidates for a partial path; directories end with '/'. */
function paths(host: HostContext, partial: string): string[] {
  const slash = partial.lastIndexOf('/');
  const dir = slash < 0 ? '' : partial.slice(0, slash + 1);
  const base = slash < 0 ? partial : partial.slice(slash + 1);
  // Relative paths stay relative: host.fs takes them from the shell's working directory.
  const abs = dir === '' ? '.' : dir;
  try {
    return host.fs
      .list(abs)
      .filter((n) => n.startsWith(base) && (base.startsWith('.') || !n.startsWith('.')))
      .map((n) => {
        const isDir = host.fs.stat(`${abs.replace(/\/$/, '')}/${n}`).type === 'dir';
        return dir + n + (isDir ? '/' : '');
      });
  } catch {
    return [];
  }
}

export function complete(
  line: string,
  cursor: number,
  host: HostContext,
  commands: string[],
  completionOf: CompletionOf,
): Completion {
  const before = line.slice(0, cursor);
  // Only the current simple command matters: text after the last | ; && ||.
  const segment = before.split(/\|\||&&|[|;]/).pop() ?? '';
  const words = segment.trimStart().split(/\s+/);
  const word = words.pop() ?? '';
  const from = cursor - word.length;
  const options = candidatesFor(words, word, host, commands, completionOf);
  const candidates = [...new Set(options.filter((c) => c.startsWith(word)))].sort();
  let replace = commonPrefix(candidates) || word;
  if (candidates.length === 1 && !replace.endsWith('/')) replace += ' ';
  return { from, to: cursor, replace, candidates };
}

function candidatesFor(
  words: string[],
  word: string,
  host: HostContext,
  commands: string[],
  completionOf: CompletionOf,
  ns = host.netns,
): readonly string[] {
  // `ip netns exec NS cmd...`: complete the command line run inside the pod's namespace.
  if (words[0] === 'ip' && words[1] === 'netns' && words[2] === 'exec') {
    if (words.length === 3) return netnsNames(host);
    return candidatesFor(words.slice(4), word, host, commands, completionOf, words[3]);
  }
  if (words.length === 0) return word.includes('/') ? paths(host, word) : commands;
  const prev = words[words.length - 1];
  if (IFACE_KEYWORDS.has(prev)) return interfaces(host, ns);
  const spec = completionOf(words[0]);
  if (words[0] === 'ip' && (prev === '-n' || prev === 'netns')) {
    if (prev === 'netns' && words.length === 2) return spec?.subcommands?.netns ?? [];
    return netnsNames(host);
  }
  if (spec?.operands && words.length >= 2) return spec.operands;
  const plain = words.filter((w, i) => i === 0 || !w.startsWith('-'));
  const key = plain
    .slice(1)
    .map((w, i) => (i === 0 ? ((spec?.abbreviations && own(spec.abbreviations, w)) ?? w) : w))
    .join(' ');
  const next = spec?.subcommands && own(spec.subcommands, key);
  if (next) return next;
  if (plain[0] === 'ip' && plain[1] && ['link', 'l'].includes(plain[1]) && plain.length === 3)
    return interfaces(host, ns);
  return paths(host, word);
}
