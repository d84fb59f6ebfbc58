// The seed articles as test data: the command lines they type (after `root@node-2:~# ` or
// `[root@localhost ~]# `) with the host they run on, and the output they show under each.
import { readFileSync } from 'node:fs';

export interface ArticleCommand {
  host: string;
  line: string;
  /** The lines the article shows after the command, up to the next prompt or blank line. */
  output: string;
}

export function readArticle(name: string): string {
  return readFileSync(new URL(`../golden/seeds/${name}`, import.meta.url), 'utf8');
}

const PROMPT = /^(?:root@([\w-]+):\S*# |\[root@([\w-]+) [^\]]*\]# )(.*)$/;

/** Every command the article types, in order. Table residue (` | |`) is cut off. */
export function articleCommands(text: string): ArticleCommand[] {
  const lines = text.split('\n').map((l) => l.replace(/\s*\|[\s|]*$/, '').trimEnd());
  const out: ArticleCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = PROMPT.exec(lines[i]);
    if (!m) continue;
    const output: string[] = [];
    // The output ends at a blank line, the next prompt, or the article's prose (Chinese).
    const prose = /[\u4e00-\u9fff]/;
    for (let j = i + 1; j < lines.length; j++) {
      if (lines[j] === '' || PROMPT.test(lines[j]) || prose.test(lines[j])) break;
      output.push(lines[j]);
    }
    out.push({ host: m[1] ?? m[2], line: m[3].trim(), output: output.join('\n') });
  }
  return out;
}

/** The part of the article between two headings (the whole rest when `to` is absent). */
export function section(text: string, from: string, to?: string): string {
  const start = text.indexOf(from);
  if (start < 0) throw new Error(`no heading ${from}`);
  const end = to === undefined ? text.length : text.indexOf(to, start);
  return text.slice(start, end < 0 ? text.length : end);
}
