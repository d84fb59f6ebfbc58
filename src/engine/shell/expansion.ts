// Word expansion, in bash's order: braces (`{a,b}`, `{1..5}`), tilde, parameters, command
// substitution and arithmetic, field splitting of what was unquoted, then pathname expansion
// (globbing) against the host's filesystem.

import type { FileSystem } from '../os/fs-types.ts';
import { normalizePath } from '../os/fs.ts';
import { evaluateArithmetic } from './arithmetic.ts';
import { hereBodyWord, ShellSyntaxError } from './lexer.ts';
import type { Word, WordPart } from './lexer.ts';
import type { ShellState } from './state.ts';

export interface ExpandContext {
  state: ShellState;
  fs: FileSystem;
  /** Runs `$(...)` source in a subshell and resolves to its stdout. */
  substitute(source: string): Promise<string>;
}

/** An expansion error bash reports and that stops the command (`${x:?}` aside). */
export class ExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}

/** One field being built: its text, and the same text as a glob pattern (quoted chars escaped). */
interface Field {
  text: string;
  pattern: string;
  glob: boolean;
  have: boolean;
}

const newField = (): Field => ({ text: '', pattern: '', glob: false, have: false });
const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** `$(...)` outputs by source, run before the rest of the expansion (which then is synchronous). */
type Substitutions = ReadonlyMap<string, string>;
const NO_SUBSTITUTIONS: Substitutions = new Map();

/** Expands words into argv: all the steps, globbing included. */
export async function expandWords(words: Word[], ctx: ExpandContext): Promise<string[]> {
  const subs = await substitutions(words, ctx);
  const out: string[] = [];
  for (const word of words) {
    for (const braced of expandBraces(word)) {
      for (const field of expandFields(braced, ctx, true, subs)) {
        if (field.glob) {
          const matches = glob(field.pattern, ctx.fs, ctx.state.vars.get('PWD') ?? '/');
          if (matches.length) {
            for (const m of matches) out.push(m);
            continue;
          }
        }
        out.push(field.text);
      }
    }
  }
  return out;
}

/** Expands one word to one string, without splitting or globbing (assignments, redirections). */
export async function expandString(word: Word, ctx: ExpandContext): Promise<string> {
  const subs = await substitutions([word], ctx);
  return joinFields(expandFields(word, ctx, false, subs));
}

/** A word as a pattern for `case` and `[[ == ]]`: quoted parts match literally. */
export async function expandPattern(word: Word, ctx: ExpandContext): Promise<string> {
  const subs = await substitutions([word], ctx);
  return expandFields(word, ctx, false, subs)
    .map((f) => f.pattern)
    .join(' ');
}

const joinFields = (fields: Field[]) => fields.map((f) => f.text).join(' ');

/**
 * Runs the words' command substitutions, left to right, in subshells. Most words have none:
 * then nothing is awaited, so a plain command starts in the same turn it was reached.
 */
function substitutions(words: Word[], ctx: ExpandContext): Substitutions | Promise<Substitutions> {
  const sources: string[] = [];
  const collect = (parts: WordPart[]) => {
    for (const part of parts) {
      if (part.kind === 'command') sources.push(part.source);
      else if (part.kind === 'arith') collect(reparse(part.source));
      else if (part.kind === 'var' && part.op) collect(reparse(part.op.arg));
    }
  };
  for (const word of words) collect(word);
  if (!sources.length) return NO_SUBSTITUTIONS;
  return (async () => {
    const outputs = new Map<string, string>();
    for (const source of sources) {
      if (!outputs.has(source)) outputs.set(source, await ctx.substitute(source));
    }
    return outputs;
  })();
}

function expandFields(
  word: Word,
  ctx: ExpandContext,
  split: boolean,
  subs: Substitutions,
): Field[] {
  const fields: Field[] = [];
  let cur = newField();
  const addText = (t: string, quoted: boolean) => {
    cur.text += t;
    if (quoted) cur.pattern += escapeGlob(t);
    else {
      cur.pattern += t;
      if (/[*?[]/.test(t)) cur.glob = true;
    }
    if (quoted || t) cur.have = true;
  };
  /** An expansion's value: split on blanks when unquoted, kept whole when quoted. */
  const addValue = (value: string, quoted: boolean) => {
    if (quoted || !split) return addText(value, quoted);
    value.split(/[ \t\n]+/).forEach((piece, j) => {
      if (j > 0) {
        if (cur.have) fields.push(cur);
        cur = newField();
      }
      addText(piece, false);
    });
  };
  for (let i = 0; i < word.length; i++) {
    const part = word[i];
    if (part.kind === 'text') {
      let text = part.text;
      if (i === 0 && !part.quoted && /^~(\/|$)/.test(text)) {
        cur.text += ctx.state.vars.get('HOME') ?? '';
        cur.pattern += escapeGlob(ctx.state.vars.get('HOME') ?? '');
        cur.have = true;
        text = text.slice(1);
      }
      addText(text, part.quoted);
    } else if (part.kind === 'var' && part.quoted && part.name === '@') {
      // "$@": one field per positional parameter.
      const params = ctx.state.positional;
      params.forEach((p, j) => {
        if (j > 0) {
          fields.push(cur);
          cur = newField();
        }
        addText(p, true);
      });
      if (!params.length && word.length === 1) return [];
    } else if (part.kind === 'var') {
      addValue(paramValue(part, ctx, subs), part.quoted);
    } else if (part.kind === 'command') {
      addValue((subs.get(part.source) ?? '').replace(/\n+$/, ''), part.quoted);
    } else {
      const source = joinFields(expandFields(quotedParts(part.source, true), ctx, false, subs));
      addValue(String(evaluateArithmetic(source, arithVars(ctx.state))), part.quoted);
    }
  }
  if (cur.have) fields.push(cur);
  return fields;
}

/** `$((...))` and `${x:-word}` kept their insides as source: their `$x` and `$(...)` parts. */
function reparse(source: string): WordPart[] {
  try {
    return hereBodyWord(source);
  } catch (err) {
    // `${x:-${bad!}}`: bash finds it when it expands, and says so.
    if (err instanceof ShellSyntaxError) throw new ExpansionError(err.message);
    throw err;
  }
}

/** `source` as a word of its expansions; an empty quoted part keeps an empty result a field. */
function quotedParts(source: string, quoted: boolean): Word {
  return [{ kind: 'text', text: '', quoted }, ...reparse(source).map((p) => ({ ...p, quoted }))];
}

export function arithVars(state: ShellState) {
  return {
    get: (name: string) => lookupVar(name, state),
    set: (name: string, value: string) => void state.vars.set(name, value),
  };
}

function paramValue(
  part: Extract<WordPart, { kind: 'var' }>,
  ctx: ExpandContext,
  subs: Substitutions,
): string {
  const value = lookupVar(part.name, ctx.state);
  const op = part.op;
  if (!op) return value ?? '';
  if (op.op === 'length') return String([...(value ?? '')].length);
  if (op.op === '#' || op.op === '##' || op.op === '%' || op.op === '%%') {
    const pattern = expandFields(quotedParts(op.arg, false), ctx, false, subs)
      .map((f) => f.pattern)
      .join(' ');
    return removeMatch(value ?? '', globToRegExp(pattern), op.op);
  }
  const unset = op.op.startsWith(':') ? !value : value === undefined;
  const arg = () => joinFields(expandFields(quotedParts(op.arg, part.quoted), ctx, false, subs));
  switch (op.op) {
    case ':-':
    case '-':
      return unset ? arg() : (value ?? '');
    case ':=':
    case '=': {
      if (!unset) return value ?? '';
      const v = arg();
      ctx.state.vars.set(part.name, v);
      return v;
    }
    default: // ':+', '+'
      return unset ? '' : arg();
  }
}

/** `${x#p}` shortest and `${x##p}` longest prefix, `${x%p}` and `${x%%p}` suffix, removed. */
function removeMatch(value: string, re: RegExp, op: '#' | '##' | '%' | '%%'): string {
  const n = value.length;
  const lengths = Array.from({ length: n + 1 }, (_, k) => k);
  if (op === '##' || op === '%%') lengths.reverse();
  for (const k of lengths) {
    if (op[0] === '#' && re.test(value.slice(0, k))) return value.slice(k);
    if (op[0] === '%' && re.test(value.slice(n - k))) return value.slice(0, n - k);
  }
  return value;
}

/** A variable's value: special parameters, positional ones, then shell variables. */
export function lookupVar(name: string, state: ShellState): string | undefined {
  if (name === '?') return String(state.status);
  if (name === '$') return '1';
  if (name === '!') return String(state.jobs.lastPid ?? '');
  if (name === '#') return String(state.positional.length);
  if (name === '@' || name === '*') return state.positional.join(' ');
  if (name === '0') return state.script?.name ?? 'bash';
  if (/^\d+$/.test(name)) return state.positional[Number(name) - 1];
  return state.vars.get(name);
}

/** `{a,b}c` -> ['ac', 'bc'], `{1..3}` -> ['1', '2', '3']; only unquoted braces expand. */
export function expandBraces(word: Word): Word[] {
  for (let i = 0; i < word.length; i++) {
    const part = word[i];
    if (part.kind !== 'text' || part.quoted) continue;
    const found = findBrace(part.text);
    if (!found) continue;
    const { start, end, alternatives } = found;
    const before = part.text.slice(0, start);
    const after = part.text.slice(end + 1);
    const words: Word[] = [];
    for (const alt of alternatives) {
      const middle: WordPart = { kind: 'text', text: before + alt + after, quoted: false };
      for (const w of expandBraces([...word.slice(0, i), middle, ...word.slice(i + 1)]))
        words.push(w);
    }
    return words;
  }
  return [word];
}

/** The first `{...}` in `text` holding a comma or a `x..y` sequence, with its alternatives. */
function findBrace(text: string): { start: number; end: number; alternatives: string[] } | null {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let j = start; j < text.length; j++) {
      const c = text[j];
      if (c === '{') depth++;
      else if (c === ',' && depth === 1) commas.push(j);
      else if (c === '}' && --depth === 0) {
        const body = text.slice(start + 1, j);
        if (commas.length) {
          const alternatives: string[] = [];
          let from = start + 1;
          for (const k of [...commas, j]) {
            alternatives.push(text.slice(from, k));
            from = k + 1;
          }
          return { start, end: j, alternatives };
        }
        const seq = sequence(body);
        if (seq) return { start, end: j, alternatives: seq };
        break;
      }
    }
  }
  return null;
}

/** `1..5`, `5..1`, `1..10..2`, `a..e`: bash's brace sequences (zero-padded like `01..10`). */
function sequence(body: string): string[] | null {
  const num = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (num) {
    const [a, b] = [Number(num[1]), Number(num[2])];
    const step = Math.abs(Number(num[3] ?? 1)) || 1;
    const width =
      /^-?0\d/.test(num[1]) || /^-?0\d/.test(num[2]) ? Math.max(num[1].length, num[2].length) : 0;
    const out: string[] = [];
    for (let n = a; a <= b ? n <= b : n >= b; n += a <= b ? step : -step) {
      out.push(
        width
          ? n < 0
            ? '-' + String(-n).padStart(width - 1, '0')
            : String(n).padStart(width, '0')
          : String(n),
      );
      if (out.length > 100_000) break;
    }
    return out;
  }
  const chr = /^([A-Za-z])\.\.([A-Za-z])$/.exec(body);
  if (chr) {
    const [a, b] = [chr[1].charCodeAt(0), chr[2].charCodeAt(0)];
    const out: string[] = [];
    for (let n = a; a <= b ? n <= b : n >= b; n += a <= b ? 1 : -1)
      out.push(String.fromCharCode(n));
    return out;
  }
  return null;
}

/** A glob pattern (`*`, `?`, `[...]`, `\` escapes) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '*') re += '[^]*';
    else if (c === '?') re += '[^]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, close);
        if (set.startsWith('!') || set.startsWith('^')) set = '^' + set.slice(1);
        re += '[' + set.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp('^' + re + '$');
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Paths matching `pattern`, sorted; hidden files only when the pattern's part starts with '.'. */
function glob(pattern: string, fs: FileSystem, cwd: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let paths = [absolute ? '/' : ''];
  for (const seg of absolute ? segments.slice(1) : segments) {
    const next: string[] = [];
    const join = (base: string, name: string) =>
      base === '' ? name : base === '/' ? '/' + name : `${base}/${name}`;
    if (!/[*?[]/.test(seg.replace(/\\./g, ''))) {
      const name = seg.replace(/\\(.)/g, '$1');
      for (const p of paths)
        if (fs.exists(normalizePath(join(p, name), cwd))) next.push(join(p, name));
    } else {
      const re = globToRegExp(seg);
      for (const p of paths) {
        let names: string[];
        try {
          names = fs.list(normalizePath(p || '.', cwd));
        } catch {
          continue;
        }
        for (const name of names)
          if (re.test(name) && (!name.startsWith('.') || seg.startsWith('.')))
            next.push(join(p, name));
      }
    }
    paths = next;
    if (!paths.length) break;
  }
  return paths.sort();
}
