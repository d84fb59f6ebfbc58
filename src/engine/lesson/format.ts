// A lesson: one Markdown file (lessons/<id>/lesson.md), described in lessons/README.md. This is
// the one parser of that format; a bad file gets errors naming its lines, never an exception.
//
//   ---                          front matter: title (required), summary, lab (URL parameters)
//   ## Step title                each level-2 heading starts a step
//   ```run node1                 a block the step's Run button types into node1's terminal
//   ```advance                   a Run button that fast-forwards the lab clock (24h, 90m, 7d)
//   ```check node1               conditions, one a line, run by Check on node1 (a fresh bash
//                                each): every one must exit 0
//   ```frames node1              lines `IFACE [tcpdump filter]`: such a frame crossed IFACE
//                                (pod1/eth0 for a pod's) since the step began
//   > Hint: ...                  hints, shown one at a time
//   ```setup node1               (before the first step) run before the learner arrives
//   {{node2.pod1}}               in blocks: the lab's addresses (pod IP, eth0, subnet, lease)

import { compileFilter, FilterError } from '../programs/tcpdump/filter.ts';
import { parseLabParams, type LabConfig } from '../lab/params.ts';
import { MarkdownError, parseMarkdown, plainText, type Block, type Inline } from './markdown.ts';

export interface ShellAction {
  kind: 'shell';
  host: string;
  /** The lines to type, placeholders not yet filled. */
  text: string;
}

export interface AdvanceAction {
  kind: 'advance';
  ms: number;
  /** As written ('24h'). */
  text: string;
}

export type LessonAction = ShellAction | AdvanceAction;

export interface CheckScript {
  host: string;
  script: string;
}

/** "A frame matching `filter` crossed `ifname` (in `netns`, a pod's) since the step began." */
export interface FrameExpectation {
  host: string;
  netns?: string;
  ifname: string;
  /** A tcpdump filter expression; empty: any frame. */
  filter: string;
}

/** What a step shows: Markdown blocks, and its Run blocks where the text puts them. */
export type StepItem = Block | { kind: 'action'; action: LessonAction };

export interface LessonStep {
  title: Inline[];
  items: StepItem[];
  actions: LessonAction[];
  checks: CheckScript[];
  frames: FrameExpectation[];
  hints: Inline[][];
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  /** The lab the lesson runs on (from `lab:`, URL parameters; the default lab otherwise). */
  lab: LabConfig;
  /** The `lab:` line as written, for links ('nodes=2&backend=vxlan'). */
  labQuery: string;
  intro: Block[];
  setup: ShellAction[];
  steps: LessonStep[];
}

export type ParsedLesson = { ok: true; lesson: Lesson } | { ok: false; errors: string[] };

export const LESSON_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;
const FRONT_KEYS = ['title', 'summary', 'lab'];
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
/** What a placeholder may ask of a host: its pods' addresses and these. */
export const HOST_FACTS = ['eth0', 'subnet', 'lease'] as const;
const DURATION = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;

/** '24h', '1h30m', '7d' in ms, or null. */
export function parseDuration(text: string): number | null {
  const m = text.trim().match(DURATION);
  if (!m || !m.slice(1).some(Boolean)) return null;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** Fills `{{node2.pod1}}`-style placeholders from `facts(host, name)`. */
export function fillPlaceholders(
  text: string,
  facts: (host: string, name: string) => string,
): string {
  return text.replace(PLACEHOLDER, (_all, ref: string) => {
    const [host, name] = ref.split('.');
    return facts(host, name ?? '');
  });
}

/** The placeholders a text uses, as [host, name] pairs. */
export function placeholders(text: string): [string, string][] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => {
    const [host, name] = m[1].split('.');
    return [host, name ?? ''];
  });
}

function splitFrontMatter(text: string): {
  front: Map<string, string>;
  body: string;
  bodyLine: number;
  errors: string[];
} {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const front = new Map<string, string>();
  const errors: string[] = [];
  if (lines[0]?.trim() !== '---') {
    return {
      front,
      body: lines.join('\n'),
      bodyLine: 1,
      errors: ['line 1: a lesson starts with front matter (---, then title: ...)'],
    };
  }
  let end = 1;
  for (; end < lines.length && lines[end].trim() !== '---'; end++) {
    const line = lines[end];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = line.match(/^([a-z]+):\s*(.*)$/);
    if (!m) errors.push(`line ${end + 1}: expected "key: value" in the front matter`);
    else if (!FRONT_KEYS.includes(m[1])) {
      errors.push(
        `line ${end + 1}: unknown front matter key "${m[1]}" (use ${FRONT_KEYS.join(', ')})`,
      );
    } else front.set(m[1], m[2].trim());
  }
  if (end >= lines.length) errors.push('line 1: the front matter is never closed with ---');
  return { front, body: lines.slice(end + 1).join('\n'), bodyLine: end + 2, errors };
}

/** Parses a lesson file. `id` names it (its folder, or the widget's). */
export function parseLesson(id: string, text: string): ParsedLesson {
  const errors: string[] = [];
  if (!LESSON_ID.test(id)) errors.push(`lesson id "${id}": use a-z, 0-9 and '-'`);
  const { front, body, bodyLine, errors: frontErrors } = splitFrontMatter(text);
  errors.push(...frontErrors);
  const title = front.get('title') ?? '';
  if (!title && frontErrors.length === 0) errors.push('front matter: a lesson needs a title');
  const labQuery = (front.get('lab') ?? '').replace(/^\?/, '');
  const params = parseLabParams(labQuery);
  errors.push(...params.errors.map((e) => `front matter: lab: ${e}`));
  const lab = params.config;
  const hostNames = new Set(lab.hosts.map((h) => h.hostname));

  let blocks: Block[];
  try {
    blocks = parseMarkdown(body, bodyLine);
  } catch (err) {
    if (!(err instanceof MarkdownError)) throw err;
    return { ok: false, errors: [...errors, `line ${err.line}: ${err.message}`] };
  }

  const intro: Block[] = [];
  const setup: ShellAction[] = [];
  const steps: LessonStep[] = [];

  const hostOf = (info: string[], line: number, what: string): string => {
    const host = info[1] ?? '';
    if (!host) errors.push(`line ${line}: a ${what} block names its host: \`\`\`${what} node1`);
    else if (!hostNames.has(host)) {
      errors.push(
        `line ${line}: no host ${host} in this lab (it has ${[...hostNames].join(', ')})`,
      );
    }
    return host;
  };
  const checkPlaceholders = (text: string, line: number) => {
    for (const [host, name] of placeholders(text)) {
      if (!hostNames.has(host)) errors.push(`line ${line}: {{${host}.${name}}}: no host ${host}`);
      else if (!(HOST_FACTS as readonly string[]).includes(name) && !/^pod\d+$/.test(name)) {
        errors.push(
          `line ${line}: {{${host}.${name}}}: use ${HOST_FACTS.map((f) => `{{${host}.${f}}}`).join(', ')} or {{${host}.pod1}}`,
        );
      }
    }
  };

  for (const block of blocks) {
    const step = steps.at(-1);
    if (block.kind === 'heading' && block.level === 2) {
      steps.push({
        title: block.content,
        items: [],
        actions: [],
        checks: [],
        frames: [],
        hints: [],
      });
      continue;
    }
    if (block.kind === 'quote' && /^hint:/i.test(plainText(block.content).trim())) {
      if (!step) errors.push('a hint before the first step (## ...) belongs to no step');
      else step.hints.push(stripHintLabel(block.content));
      continue;
    }
    if (block.kind !== 'fence') {
      (step ? step.items : intro).push(block);
      continue;
    }
    const info = block.info.split(/\s+/);
    const kind = info[0];
    const where = block.line;
    if (kind === 'setup') {
      if (step) errors.push(`line ${where}: setup blocks go before the first step`);
      const host = hostOf(info, where, 'setup');
      checkPlaceholders(block.text, where);
      setup.push({ kind: 'shell', host, text: block.text });
    } else if (kind === 'run' || kind === 'check' || kind === 'frames' || kind === 'advance') {
      if (!step) {
        errors.push(
          `line ${where}: a ${kind} block before the first step (## ...) belongs to no step`,
        );
        continue;
      }
      if (kind === 'advance') {
        const ms = parseDuration(block.text);
        if (ms === null || ms <= 0)
          errors.push(`line ${where}: advance takes a duration such as 24h, 90m or 7d`);
        const action: AdvanceAction = { kind: 'advance', ms: ms ?? 0, text: block.text.trim() };
        step.actions.push(action);
        step.items.push({ kind: 'action', action });
        continue;
      }
      const host = hostOf(info, where, kind);
      checkPlaceholders(block.text, where);
      if (kind === 'run') {
        const action: ShellAction = { kind: 'shell', host, text: block.text.trim() };
        step.actions.push(action);
        step.items.push({ kind: 'action', action });
      } else if (kind === 'check') {
        const conditions = checkLines(block.text);
        if (conditions.length === 0) errors.push(`line ${where}: an empty check`);
        for (const script of conditions) step.checks.push({ host, script });
      } else {
        block.text.split('\n').forEach((line, k) => {
          if (!line.trim() || line.trim().startsWith('#')) return;
          const parsed = parseFrameLine(line.trim());
          if (typeof parsed === 'string') errors.push(`line ${where + 1 + k}: ${parsed}`);
          else step.frames.push({ host, ...parsed });
        });
      }
    } else {
      (step ? step.items : intro).push(block);
    }
  }
  if (steps.length === 0) errors.push('a lesson has at least one step (## Step title)');
  steps.forEach((s, k) => {
    if (s.checks.length === 0 && s.frames.length === 0) {
      errors.push(`step ${k + 1} (${plainText(s.title)}): a step needs a check or frames block`);
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    lesson: { id, title, summary: front.get('summary') ?? '', lab, labQuery, intro, setup, steps },
  };
}

/** A check block's conditions: one a line (a line ending in `\` goes on), comments dropped. */
function checkLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (!pending && (!line.trim() || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    out.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

function stripHintLabel(content: Inline[]): Inline[] {
  const out = structuredClone(content);
  // "Hint:" or "**Hint:**" opens the quote: drop it, the panel labels hints itself.
  const first = out[0];
  if (first?.kind === 'strong' && /^hint:?$/i.test(plainText(first.children).trim())) out.shift();
  const text = out[0];
  if (text?.kind === 'text') text.text = text.text.replace(/^\s*(hint:)?\s*/i, '');
  return out.filter((c) => c.kind !== 'text' || c.text !== '');
}

/** `eth0 udp port 8472`, `pod1/eth0 icmp`, `flannel.1`: an interface, then a filter. */
function parseFrameLine(line: string): Omit<FrameExpectation, 'host'> | string {
  const [where, ...rest] = line.split(/\s+/);
  const filter = rest.join(' ');
  const [netns, ifname] = where.includes('/') ? where.split('/', 2) : [undefined, where];
  if (!ifname || !/^[A-Za-z0-9._-]+$/.test(ifname) || (netns !== undefined && !netns)) {
    return `frames: "${where}" is not an interface (eth0, flannel.1, pod1/eth0)`;
  }
  try {
    compileFilter(filter);
  } catch (err) {
    if (err instanceof FilterError) return `frames: ${filter}: ${err.message}`;
    throw err;
  }
  return netns === undefined ? { ifname, filter } : { netns, ifname, filter };
}
