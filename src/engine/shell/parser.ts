// The parser for the lab's bash subset: one command line in, a list of pipelines out.
//
// Supported: words with '...', "..." and backslash escapes; `$VAR`, `${VAR}`, `$?`, `$$`;
// `~` at a word's start; comments (`#`); `VAR=x` assignments; `|`, `;`, `&&`, `||` (and `&`,
// run in the foreground); redirections `> f`, `>> f`, `< f`, `2> f`, `2>&1`, `>&2`, `&> f`.
// Variables are kept as parts of a word and expanded when the command runs, since `$?` changes
// between the commands of one line. Errors carry the text bash prints.

/** A piece of a word: literal text, or a variable to expand. `quoted` parts are never split. */
export type WordPart =
  { kind: 'text'; text: string; quoted: boolean } | { kind: 'var'; name: string; quoted: boolean };

export type Word = WordPart[];

export interface Redirect {
  /** The file descriptor redirected: 0 (stdin), 1 (stdout), 2 (stderr), or 'both' for `&>`. */
  fd: 0 | 1 | 2 | 'both';
  /** '>' truncate, '>>' append, '<' read, '>&' duplicate another descriptor. */
  op: '>' | '>>' | '<' | '>&';
  /** The file name, or for '>&' the descriptor number as a word. */
  target: Word;
}

export interface SimpleCommand {
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

/** A pipeline and the operator that joined it to the previous one (';' for the first). */
export interface ListItem {
  connector: ';' | '&&' | '||';
  pipeline: SimpleCommand[];
}

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { type: 'word'; word: Word; raw: string }
  | { type: 'op'; op: string }
  | { type: 'redir'; fd: Redirect['fd']; op: Redirect['op']; raw: string };

const OPERATORS = ['&&', '||', ';;', '|', ';', '&', '(', ')'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Splits a line into words, operators and redirection operators. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i++;
      continue;
    }
    if (ch === '#') break;
    const redir = /^(\d?)(>>|>&|<|>)|^&>/.exec(line.slice(i));
    if (redir) {
      const raw = redir[0];
      if (raw === '&>') tokens.push({ type: 'redir', fd: 'both', op: '>', raw });
      else {
        const op = redir[2] as Redirect['op'];
        const fd = redir[1] ? Number(redir[1]) : op === '<' ? 0 : 1;
        if (fd > 2) throw new ShellSyntaxError(`${fd}: Bad file descriptor`);
        tokens.push({ type: 'redir', fd: fd as 0 | 1 | 2, op, raw });
      }
      i += raw.length;
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', op });
      i += op.length;
      continue;
    }
    const start = i;
    const { word, end } = readWord(line, i);
    tokens.push({ type: 'word', word, raw: line.slice(start, end) });
    i = end;
  }
  return tokens;
}

function isWordEnd(ch: string): boolean {
  return ' \t\n|&;<>()'.includes(ch);
}

/** Reads one word starting at `i`: quotes, escapes and variables, up to a blank or operator. */
function readWord(line: string, i: number): { word: Word; end: number } {
  const word: Word = [];
  const text = (t: string, quoted: boolean) => {
    const last = word[word.length - 1];
    if (last?.kind === 'text' && last.quoted === quoted) last.text += t;
    else word.push({ kind: 'text', text: t, quoted });
  };
  if (line[i] === '~' && (i + 1 === line.length || line[i + 1] === '/' || isWordEnd(line[i + 1]))) {
    word.push({ kind: 'var', name: 'HOME', quoted: true });
    i++;
  }
  while (i < line.length && !isWordEnd(line[i])) {
    const ch = line[i];
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
      text(line.slice(i + 1, close), true);
      i = close + 1;
    } else if (ch === '"') {
      i++;
      text('', true);
      for (;;) {
        if (i >= line.length)
          throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
        const c = line[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1])) {
          if (line[i + 1] !== '\n') text(line[i + 1], true);
          i += 2;
        } else if (c === '$') {
          i = readVar(line, i, true, word, text);
        } else {
          text(c, true);
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 < line.length) {
        if (line[i + 1] !== '\n') text(line[i + 1], true);
        i += 2;
      } else {
        text('\\', true);
        i++;
      }
    } else if (ch === '$') {
      i = readVar(line, i, false, word, text);
    } else {
      text(ch, false);
      i++;
    }
  }
  return { word, end: i };
}

/** Reads `$NAME`, `${NAME}`, `$?` or `$$` at `i`; a lone `$` stays literal. Returns the next index. */
function readVar(
  line: string,
  i: number,
  quoted: boolean,
  word: Word,
  text: (t: string, quoted: boolean) => void,
): number {
  const rest = line.slice(i + 1);
  if (rest[0] === '?' || rest[0] === '$' || rest[0] === '#') {
    word.push({ kind: 'var', name: rest[0], quoted });
    return i + 2;
  }
  if (rest[0] === '{') {
    const close = rest.indexOf('}');
    if (close < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `}'");
    const name = rest.slice(1, close);
    if (!/^([A-Za-z_][A-Za-z0-9_]*|[?$#])$/.test(name))
      throw new ShellSyntaxError(`\${${name}}: bad substitution`);
    word.push({ kind: 'var', name, quoted });
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

function unexpected(token: Token | undefined): ShellSyntaxError {
  if (!token) return new ShellSyntaxError("syntax error near unexpected token `newline'");
  const text = token.type === 'op' ? token.op : token.raw;
  return new ShellSyntaxError(`syntax error near unexpected token \`${text}'`);
}

/** Parses a command line. An empty or comment-only line gives an empty list. */
export function parse(line: string): ListItem[] {
  const tokens = tokenize(line);
  const items: ListItem[] = [];
  let pos = 0;
  let connector: ListItem['connector'] = ';';
  while (pos < tokens.length) {
    const pipeline: SimpleCommand[] = [];
    for (;;) {
      const cmd: SimpleCommand = { assignments: [], words: [], redirects: [] };
      while (pos < tokens.length && tokens[pos].type !== 'op') {
        const t = tokens[pos];
        if (t.type === 'redir') {
          const target = tokens[pos + 1];
          if (target?.type !== 'word') throw unexpected(target);
          cmd.redirects.push({ fd: t.fd, op: t.op, target: target.word });
          pos += 2;
          continue;
        }
        if (t.type === 'word') {
          const assign = cmd.words.length === 0 ? asAssignment(t.word) : undefined;
          if (assign) cmd.assignments.push(assign);
          else cmd.words.push(t.word);
        }
        pos++;
      }
      const empty = !cmd.words.length && !cmd.assignments.length && !cmd.redirects.length;
      const next = tokens[pos];
      if (empty) throw unexpected(next);
      pipeline.push(cmd);
      if (next?.type === 'op' && next.op === '|') {
        pos++;
        if (pos >= tokens.length)
          throw new ShellSyntaxError('syntax error: unexpected end of file');
        continue;
      }
      break;
    }
    items.push({ connector, pipeline });
    const op = tokens[pos];
    if (!op) break;
    if (op.type !== 'op' || !['&&', '||', ';', '&'].includes(op.op)) throw unexpected(op);
    pos++;
    connector = op.op === '&&' || op.op === '||' ? op.op : ';';
    if (pos >= tokens.length && connector !== ';')
      throw new ShellSyntaxError('syntax error: unexpected end of file');
  }
  return items;
}

/** `NAME=value` as the leading word of a command (the `NAME=` part unquoted). */
function asAssignment(word: Word): { name: string; value: Word } | undefined {
  const first = word[0];
  if (first?.kind !== 'text' || first.quoted) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text);
  if (!m) return undefined;
  const value: Word = [];
  const restText = first.text.slice(m[0].length);
  if (restText) value.push({ kind: 'text', text: restText, quoted: false });
  value.push(...word.slice(1));
  return { name: m[1], value };
}
