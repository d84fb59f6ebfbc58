// The shell's lexer: source text in, tokens out (words, operators, redirections, newlines).
//
// A word keeps its pieces apart, because each expands differently when the command runs:
// literal text (quoted or not), `$NAME`/`${NAME}`/`${#NAME}`/`${NAME:-x}`, `$(...)` and
// backticks (kept as source, parsed when expanded), `$((...))`. Reserved words (`if`, `done`)
// are plain words here: only the parser knows where a word is in command position.

export type WordPart =
  | { kind: 'text'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean; op?: ParamOp }
  | { kind: 'command'; source: string; quoted: boolean }
  | { kind: 'arith'; source: string; quoted: boolean };

/**
 * `${#NAME}` (length), `${NAME:-word}`-style defaults, or `${NAME#pattern}`-style removal of a
 * prefix (`#`, `##` longest) or suffix (`%`, `%%`); the word or pattern kept as source.
 */
export interface ParamOp {
  op: 'length' | ':-' | '-' | ':=' | '=' | ':+' | '+' | '#' | '##' | '%' | '%%';
  arg: string;
}

export type Word = WordPart[];

export type RedirOp = '>' | '>>' | '<' | '>&' | '<<<' | '<<';

/** A here-document's body (filled in once the lexer reaches the lines after its command). */
export interface HereDoc {
  body: Word;
  /** bash's warning when the input ended before the delimiter line, and the line it names. */
  warning?: { text: string; line: number };
}

type TokenBody =
  | { type: 'word'; word: Word; raw: string }
  | { type: 'op'; op: string }
  | { type: 'redir'; fd: 0 | 1 | 2 | 'both'; op: RedirOp; raw: string; here?: HereDoc };

/** A token and the line of the source it starts on (1-based), for error messages. */
export type Token = TokenBody & { line: number };

export class ShellSyntaxError extends Error {
  /** The source line the error is on (set once known). */
  line = 0;
  /**
   * `incomplete`: more input could complete the command (an open quote, a missing `done`).
   * `status`: what $? becomes (2; 1 for a bad name, as bash sets it).
   */
  constructor(
    message: string,
    readonly incomplete = false,
    readonly status = 2,
  ) {
    super(message);
    this.name = 'ShellSyntaxError';
  }

  /** Whether bash quotes the offending line after the message (it does for a bad token). */
  get quotesLine(): boolean {
    return this.message.startsWith('syntax error near');
  }
}

const OPERATORS = ['&&', '||', ';;', '|', ';', '&', '(', ')', '\n'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function eofError(): ShellSyntaxError {
  return new ShellSyntaxError('syntax error: unexpected end of file', true);
}

function unclosed(ch: string): ShellSyntaxError {
  return new ShellSyntaxError(`unexpected EOF while looking for matching \`${ch}'`, true);
}

/** Splits source text into tokens. Comments are dropped; newlines are '\n' operators. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let counted = 0;
  const push = (t: TokenBody) => tokens.push({ ...t, line });
  // Here-documents opened on the current line: their bodies are the lines after it.
  let pending: { here: HereDoc; delimiter: string; strip: boolean; quoted: boolean }[] = [];
  const readBodies = () => {
    for (const p of pending) i = readHereDoc(src, i, p);
    pending = [];
  };
  while (i < src.length) {
    // Lines are counted up to each token's start (newlines inside a word included).
    for (; counted < i; counted++) if (src[counted] === '\n') line++;
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const here = /^(\d?)<<(-?)(?!<)[ \t]*/.exec(src.slice(i, i + 16));
    if (here) {
      i += here[0].length;
      let read: { word: Word; end: number };
      try {
        read = readWord(src, i);
      } catch (err) {
        throw err instanceof ShellSyntaxError ? atLine(err, line) : err;
      }
      if (read.end === i) throw atLine(unexpectedAt(src, i), line);
      const doc: HereDoc = { body: [] };
      pending.push({
        here: doc,
        delimiter: read.word.map((p) => (p.kind === 'text' ? p.text : '')).join(''),
        strip: here[2] === '-',
        quoted: read.word.some((p) => p.quoted),
      });
      push({
        type: 'redir',
        fd: here[1] ? (Number(here[1]) as 0 | 1 | 2) : 0,
        op: '<<',
        raw: '<<',
        here: doc,
      });
      i = read.end;
      continue;
    }
    const redir = /^(\d?)(<<<|>>|>&|<|>)|^&>/.exec(src.slice(i, i + 4));
    if (redir) {
      const raw = redir[0];
      if (raw === '&>') push({ type: 'redir', fd: 'both', op: '>', raw });
      else {
        const op = redir[2] as RedirOp;
        const fd = redir[1] ? Number(redir[1]) : op === '<' || op === '<<<' ? 0 : 1;
        if (fd > 2) throw atLine(new ShellSyntaxError(`${fd}: Bad file descriptor`), line);
        push({ type: 'redir', fd: fd as 0 | 1 | 2, op, raw });
      }
      i += raw.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      push({ type: 'op', op });
      i += op.length;
      if (op === '\n') readBodies();
      continue;
    }
    const start = i;
    let read: { word: Word; end: number };
    try {
      read = readWord(src, i);
    } catch (err) {
      throw err instanceof ShellSyntaxError ? atLine(err, line) : err;
    }
    push({ type: 'word', word: read.word, raw: src.slice(start, read.end) });
    i = read.end;
  }
  readBodies();
  return tokens;
}

function unexpectedAt(src: string, i: number): ShellSyntaxError {
  const next = OPERATORS.find((o) => src.startsWith(o, i)) ?? 'newline';
  return new ShellSyntaxError(
    `syntax error near unexpected token \`${next === '\n' ? 'newline' : next}'`,
  );
}

/**
 * Reads a here-document's lines from `i` up to its delimiter line (`<<-` drops leading tabs)
 * into `p.here`; an unquoted delimiter lets `$x`, `$(...)` and `\` work in the body. Returns
 * the index after the delimiter line.
 */
function readHereDoc(
  src: string,
  i: number,
  p: { here: HereDoc; delimiter: string; strip: boolean; quoted: boolean },
): number {
  const startLine = src.slice(0, i).split('\n').length - 1;
  let body = '';
  for (;;) {
    if (i >= src.length) {
      const lines = src.split('\n').length - (src.endsWith('\n') ? 1 : 0);
      p.here.warning = {
        text: `warning: here-document at line ${startLine} delimited by end-of-file (wanted \`${p.delimiter}')`,
        line: lines,
      };
      break;
    }
    const nl = src.indexOf('\n', i);
    const end = nl < 0 ? src.length : nl;
    const text = p.strip ? src.slice(i, end).replace(/^\t+/, '') : src.slice(i, end);
    i = end + 1;
    if (text === p.delimiter) break;
    body += text + '\n';
  }
  p.here.body = p.quoted ? [{ kind: 'text', text: body, quoted: true }] : hereBodyWord(body);
  return Math.min(i, src.length);
}

/**
 * Text whose `$x`, `${...}`, `$(...)`, backticks and backslashes work but whose quotes do not:
 * an unquoted here-document's body, and the inside of `$((...))` and `${x:-...}`.
 */
export function hereBodyWord(body: string): Word {
  const word: Word = [{ kind: 'text', text: '', quoted: true }];
  const text = (t: string) => {
    const last = word[word.length - 1];
    if (last.kind === 'text') last.text += t;
    else word.push({ kind: 'text', text: t, quoted: true });
  };
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c === '\\' && '$`\\\n'.includes(body[i + 1] ?? '')) {
      if (body[i + 1] !== '\n') text(body[i + 1]);
      i += 2;
    } else if (c === '$' || c === '`') i = readDollar(body, i, true, word, text);
    else {
      text(c);
      i++;
    }
  }
  return word;
}

/** The error, placed on `line` unless it already has one. */
export function atLine(err: ShellSyntaxError, line: number): ShellSyntaxError {
  if (!err.line) err.line = line;
  return err;
}

function isWordEnd(ch: string): boolean {
  return ' \t\r\n|&;<>()'.includes(ch);
}

/** Reads one word starting at `i`: quotes, escapes and expansions, up to a blank or operator. */
function readWord(src: string, i: number): { word: Word; end: number } {
  const word: Word = [];
  const text = (t: string, quoted: boolean) => {
    const last = word[word.length - 1];
    if (last?.kind === 'text' && last.quoted === quoted) last.text += t;
    else word.push({ kind: 'text', text: t, quoted });
  };
  while (i < src.length && !isWordEnd(src[i])) {
    const ch = src[i];
    if (ch === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw unclosed("'");
      text(src.slice(i + 1, close), true);
      i = close + 1;
    } else if (ch === '"') {
      i++;
      text('', true);
      for (;;) {
        if (i >= src.length) throw unclosed('"');
        const c = src[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1])) {
          if (src[i + 1] !== '\n') text(src[i + 1], true);
          i += 2;
        } else if (c === '$' || c === '`') {
          i = readDollar(src, i, true, word, text);
        } else {
          text(c, true);
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 < src.length) {
        if (src[i + 1] !== '\n') text(src[i + 1], true);
        i += 2;
      } else {
        text('\\', true);
        i++;
      }
    } else if (ch === '$' || ch === '`') {
      i = readDollar(src, i, false, word, text);
    } else {
      text(ch, false);
      i++;
    }
  }
  return { word, end: i };
}

/** The index just past the `)` that closes the `(` before `i`, skipping quotes and nesting. */
function matchParen(src: string, i: number): number {
  let depth = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw unclosed("'");
      i = close + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) throw unclosed('"');
      i++;
    } else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i + 1;
      i++;
    }
  }
  throw unclosed(')');
}

/** Reads an expansion at `i` (`$...` or a backtick); a lone `$` stays literal. */
function readDollar(
  src: string,
  i: number,
  quoted: boolean,
  word: Word,
  text: (t: string, quoted: boolean) => void,
): number {
  if (src[i] === '`') {
    let j = i + 1;
    let source = '';
    while (j < src.length && src[j] !== '`') {
      if (src[j] === '\\' && '$`\\'.includes(src[j + 1] ?? '')) j++;
      source += src[j++];
    }
    if (j >= src.length) throw unclosed('`');
    word.push({ kind: 'command', source, quoted });
    return j + 1;
  }
  const rest = src.slice(i + 1);
  if (rest.startsWith('((')) {
    const end = matchParen(src, i + 3);
    if (src[end] !== ')') throw unclosed(')');
    word.push({ kind: 'arith', source: src.slice(i + 3, end - 1), quoted });
    return end + 1;
  }
  if (rest[0] === '(') {
    const end = matchParen(src, i + 2);
    word.push({ kind: 'command', source: src.slice(i + 2, end - 1), quoted });
    return end;
  }
  if (rest[0] !== undefined && '?$#@*!0123456789'.includes(rest[0])) {
    word.push({ kind: 'var', name: rest[0], quoted });
    return i + 2;
  }
  if (rest[0] === '{') {
    const close = rest.indexOf('}');
    if (close < 0) throw unclosed('}');
    const body = rest.slice(1, close);
    const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[?$#@*0-9])(?:(:?[-=+]|##?|%%?)([^]*))?$/.exec(body);
    if (!m || (m[1] && m[3])) throw new ShellSyntaxError(`\${${body}}: bad substitution`);
    const op: ParamOp | undefined = m[1]
      ? { op: 'length', arg: '' }
      : m[3]
        ? { op: m[3] as ParamOp['op'], arg: m[4] }
        : undefined;
    word.push({ kind: 'var', name: m[2], quoted, ...(op ? { op } : {}) });
    return i + close + 2;
  }
  const name = NAME.exec(rest);
  if (name) {
    word.push({ kind: 'var', name: name[0], quoted });
    return i + 1 + name[0].length;
  }
  text('$', quoted);
  return i + 1;
}

/** The word's text when it is all unquoted literal (how reserved words are recognised). */
export function literal(word: Word): string | undefined {
  return word.length === 1 && word[0].kind === 'text' && !word[0].quoted ? word[0].text : undefined;
}
