// The shell's parser: tokens in, a syntax tree out, by recursive descent over bash's grammar.
//
//   list      := and_or ((';' | '&' | '\n') and_or)*
//   and_or    := pipeline (('&&' | '||') '\n'* pipeline)*
//   pipeline  := '!'? command ('|' '\n'* command)*
//   command   := simple | compound redirect* | NAME '(' ')' compound | 'function' NAME compound
//   compound  := if | for | while | until | case | '{' list '}' | '(' list ')' | '[[' cond ']]'
//
// Errors carry the text bash prints ("syntax error near unexpected token `fi'").

import { atLine, eofError, literal, ShellSyntaxError, tokenize } from './lexer.ts';
import type { HereDoc, RedirOp, Token, Word } from './lexer.ts';

export { ShellSyntaxError, tokenize } from './lexer.ts';
export type { Word, WordPart } from './lexer.ts';

export interface Redirect {
  /** The file descriptor redirected: 0 (stdin), 1 (stdout), 2 (stderr), or 'both' for `&>`. */
  fd: 0 | 1 | 2 | 'both';
  /** '>' truncate, '>>' append, '<' read, '>&' duplicate, '<<<' here-string, '<<' here-doc. */
  op: RedirOp;
  /** The file name, the here-string, or for '>&' the descriptor number as a word. */
  target: Word;
  /** For '<<': the here-document (its body is `target`, read after the command's line). */
  here?: HereDoc;
}

export interface SimpleCommand {
  type: 'simple';
  /** The source line it starts on ($LINENO; error messages of scripts name it). */
  line: number;
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

/** `[[ ... ]]`: a tree of tests, its leaves the words of one test (`-f x`, `a == b*`). */
export type CondExpr =
  | { type: 'and' | 'or'; left: CondExpr; right: CondExpr }
  | { type: 'not'; expr: CondExpr }
  | { type: 'test'; words: Word[] };

export type Command = (
  | SimpleCommand
  | { type: 'if'; clauses: { cond: List; body: List }[]; otherwise?: List }
  | { type: 'for'; name: string; items?: Word[]; body: List }
  | { type: 'while' | 'until'; cond: List; body: List }
  | { type: 'case'; subject: Word; arms: { patterns: Word[]; body: List }[] }
  | { type: 'group' | 'subshell'; body: List }
  | { type: 'cond'; expr: CondExpr }
  | { type: 'function'; name: string; body: Command }
) & { redirects: Redirect[] };

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  line: number;
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  /** Ended by `&`: it runs as a background job. */
  background?: boolean;
  /** Its tokens joined by spaces (`ping -c 2 10.0.0.1 > /dev/null`): what `jobs` prints. */
  text: string;
}

/** A list of and-or lists. */
export type List = AndOr[];

const RESERVED = new Set([
  'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until',
  'case', 'esac', 'function', '{', '}', '!', '[[', ']]',
]); // prettier-ignore

/** Words that end a list: the parser stops there and the enclosing construct takes them. */
const LIST_END = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Deepest nesting of commands (`( ( ...`) and conditions parsed; deeper is an error, not a stack overflow. */
const MAX_NESTING = 500;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    /** The line past the end of the source: where bash reports an unexpected end of file. */
    private readonly endLine: number,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(op: string, t = this.peek()): boolean {
    return t?.type === 'op' && t.op === op;
  }

  /** The reserved word at the cursor, when the token is one. */
  private keyword(t = this.peek()): string | undefined {
    if (t?.type !== 'word') return undefined;
    const text = literal(t.word);
    return text !== undefined && RESERVED.has(text) ? text : undefined;
  }

  private unexpected(t = this.peek()): ShellSyntaxError {
    if (!t) return this.eof();
    const text = t.type === 'op' ? (t.op === '\n' ? 'newline' : t.op) : t.raw;
    return atLine(new ShellSyntaxError(`syntax error near unexpected token \`${text}'`), t.line);
  }

  private eof(): ShellSyntaxError {
    return atLine(eofError(), this.endLine);
  }

  /** The line of the token at the cursor (or of the last one). */
  private line(): number {
    return (this.peek() ?? this.tokens[this.tokens.length - 1])?.line ?? 1;
  }

  private skipNewlines(): void {
    while (this.isOp('\n')) this.pos++;
  }

  private expectKeyword(word: string): void {
    this.skipNewlines();
    if (this.keyword() !== word) throw this.unexpected();
    this.pos++;
  }

  parseProgram(): List {
    const list = this.parseList();
    if (this.pos < this.tokens.length) throw this.unexpected();
    return list;
  }

  /**
   * The commands of the program's next line (a compound command may span several), or
   * undefined at the end. bash parses a whole line before it runs any of it.
   */
  parseNextLine(): List | undefined {
    this.skipNewlines();
    if (this.pos >= this.tokens.length) return undefined;
    const line: List = [];
    for (;;) {
      line.push(this.parseAndOr());
      const sep = this.peek();
      if (!sep || this.isOp('\n', sep)) break;
      if (!this.isOp(';', sep) && !this.isOp('&', sep)) throw this.unexpected();
      if (this.isOp('&', sep)) line[line.length - 1].background = true;
      this.pos++;
      if (!this.peek() || this.isOp('\n')) break;
    }
    return line;
  }

  /** A list up to a token that cannot start a command (`done`, `;;`, `)`, or the end). */
  parseList(): List {
    const list: List = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t) break;
      const kw = this.keyword(t);
      if (kw && LIST_END.has(kw)) break;
      if (t.type === 'op' && (t.op === ';;' || t.op === ')')) break;
      list.push(this.parseAndOr());
      const sep = this.peek();
      if (this.isOp('&', sep)) list[list.length - 1].background = true;
      if (this.isOp(';', sep) || this.isOp('&', sep) || this.isOp('\n', sep)) this.pos++;
      else break;
    }
    return list;
  }

  /** A list that must hold at least one command (the body of `then`, `do`, `{`). */
  private parseBody(): List {
    const list = this.parseList();
    if (!list.length) throw this.unexpected();
    return list;
  }

  private parseAndOr(): AndOr {
    const start = this.pos;
    const node: AndOr = { line: this.line(), first: this.parsePipeline(), rest: [], text: '' };
    for (;;) {
      const t = this.peek();
      if (!(this.isOp('&&', t) || this.isOp('||', t))) {
        node.text = this.tokens
          .slice(start, this.pos)
          .map((tok) => (tok.type === 'op' ? tok.op : tok.raw))
          .join(' ');
        return node;
      }
      this.pos++;
      this.skipNewlines();
      node.rest.push({ op: (t as { op: '&&' | '||' }).op, pipeline: this.parsePipeline() });
    }
  }

  private parsePipeline(): Pipeline {
    let negate = false;
    if (this.keyword() === '!') {
      negate = true;
      this.pos++;
    }
    const commands = [this.parseCommand()];
    while (this.isOp('|')) {
      this.pos++;
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { negate, commands };
  }

  private parseCommand(): Command {
    this.enter();
    try {
      return this.parseCommandAt();
    } finally {
      this.depth--;
    }
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING)
      throw atLine(new ShellSyntaxError('maximum nesting level exceeded'), this.line());
  }

  private parseCommandAt(): Command {
    const t = this.peek();
    if (!t) throw this.eof();
    const kw = this.keyword(t);
    let cmd: Command;
    if (kw === 'if') cmd = this.parseIf();
    else if (kw === 'for') cmd = this.parseFor();
    else if (kw === 'while' || kw === 'until') cmd = this.parseWhile(kw);
    else if (kw === 'case') cmd = this.parseCase();
    else if (kw === '{') {
      this.pos++;
      const body = this.parseBody();
      this.expectKeyword('}');
      cmd = { type: 'group', body, redirects: [] };
    } else if (kw === '[[') cmd = this.parseCond();
    else if (kw === 'function') {
      this.pos++;
      const name = this.peek();
      if (name?.type !== 'word') throw this.unexpected(name);
      this.pos++;
      if (this.isOp('(') && this.isOp(')', this.peek(1))) this.pos += 2;
      return this.parseFunctionBody(name.raw);
    } else if (kw) throw this.unexpected(t);
    else if (this.isOp('(')) {
      this.pos++;
      const body = this.parseBody();
      if (!this.isOp(')')) throw this.unexpected();
      this.pos++;
      cmd = { type: 'subshell', body, redirects: [] };
    } else if (t.type === 'word' && this.isOp('(', this.peek(1))) {
      if (!this.isOp(')', this.peek(2))) throw this.unexpected(this.peek(2));
      if (!IDENTIFIER.test(t.raw) && !/^[\w.:-]+$/.test(t.raw))
        throw atLine(new ShellSyntaxError(`\`${t.raw}': not a valid identifier`), t.line);
      this.pos += 3;
      return this.parseFunctionBody(t.raw);
    } else return this.parseSimple();
    this.parseRedirects(cmd.redirects);
    return cmd;
  }

  private parseFunctionBody(name: string): Command {
    this.skipNewlines();
    const kw = this.keyword();
    const compound = ['{', 'if', 'for', 'while', 'until', 'case', '[['];
    if (!(kw && compound.includes(kw)) && !this.isOp('(')) throw this.unexpected();
    const body = this.parseCommand();
    return { type: 'function', name, body, redirects: [] };
  }

  private parseRedirects(into: Redirect[]): void {
    for (let t = this.peek(); t?.type === 'redir'; t = this.peek()) {
      if (t.here) {
        into.push({ fd: t.fd, op: '<<', target: t.here.body, here: t.here });
        this.pos++;
        continue;
      }
      const target = this.peek(1);
      if (target?.type !== 'word')
        throw this.unexpected(target ?? { type: 'op', op: '\n', line: t.line });
      into.push({ fd: t.fd, op: t.op, target: target.word });
      this.pos += 2;
    }
  }

  private parseSimple(): SimpleCommand {
    const cmd: SimpleCommand = {
      type: 'simple',
      line: this.line(),
      assignments: [],
      words: [],
      redirects: [],
    };
    for (let t = this.peek(); t && t.type !== 'op'; t = this.peek()) {
      if (t.type === 'redir') {
        this.parseRedirects(cmd.redirects);
        continue;
      }
      const assign = cmd.words.length === 0 ? asAssignment(t.word) : undefined;
      if (assign) cmd.assignments.push(assign);
      else cmd.words.push(t.word);
      this.pos++;
    }
    if (!cmd.words.length && !cmd.assignments.length && !cmd.redirects.length)
      throw this.unexpected();
    return cmd;
  }

  private parseIf(): Command {
    const clauses: { cond: List; body: List }[] = [];
    let otherwise: List | undefined;
    this.pos++;
    for (;;) {
      const cond = this.parseBody();
      this.expectKeyword('then');
      clauses.push({ cond, body: this.parseBody() });
      const kw = this.keyword();
      this.pos++;
      if (kw === 'elif') continue;
      if (kw === 'else') {
        otherwise = this.parseBody();
        this.expectKeyword('fi');
      } else if (kw !== 'fi') throw this.unexpected(this.tokens[this.pos - 1]);
      return { type: 'if', clauses, otherwise, redirects: [] };
    }
  }

  private parseFor(): Command {
    this.pos++;
    const name = this.peek();
    if (name?.type !== 'word') throw this.unexpected(name);
    if (!IDENTIFIER.test(name.raw))
      throw atLine(
        new ShellSyntaxError(`\`${name.raw}': not a valid identifier`, false, 1),
        name.line,
      );
    this.pos++;
    let items: Word[] | undefined;
    if (this.isOp(';')) this.pos++;
    this.skipNewlines();
    if (this.keyword() === 'in') {
      this.pos++;
      items = [];
      for (let t = this.peek(); t?.type === 'word'; t = this.peek()) {
        items.push(t.word);
        this.pos++;
      }
      if (this.isOp(';') || this.isOp('\n')) this.pos++;
      else if (this.peek()) throw this.unexpected();
    }
    this.expectKeyword('do');
    const body = this.parseBody();
    this.expectKeyword('done');
    return { type: 'for', name: name.raw, items, body, redirects: [] };
  }

  private parseWhile(kind: 'while' | 'until'): Command {
    this.pos++;
    const cond = this.parseBody();
    this.expectKeyword('do');
    const body = this.parseBody();
    this.expectKeyword('done');
    return { type: kind, cond, body, redirects: [] };
  }

  private parseCase(): Command {
    this.pos++;
    const subject = this.peek();
    if (subject?.type !== 'word') throw this.unexpected(subject);
    this.pos++;
    this.expectKeyword('in');
    const arms: { patterns: Word[]; body: List }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.keyword() === 'esac') {
        this.pos++;
        return { type: 'case', subject: subject.word, arms, redirects: [] };
      }
      if (this.isOp('(')) this.pos++;
      const patterns: Word[] = [];
      for (;;) {
        const p = this.peek();
        if (p?.type !== 'word') throw this.unexpected(p);
        patterns.push(p.word);
        this.pos++;
        if (this.isOp(')')) break;
        if (!this.isOp('|')) throw this.unexpected();
        this.pos++;
      }
      this.pos++;
      const body = this.parseList();
      arms.push({ patterns, body });
      this.skipNewlines();
      if (this.isOp(';;')) this.pos++;
      else if (this.keyword() !== 'esac') throw this.unexpected();
    }
  }

  private parseCond(): Command {
    this.pos++;
    const expr = this.parseCondOr();
    if (this.keyword() !== ']]') throw this.unexpected();
    this.pos++;
    return { type: 'cond', expr, redirects: [] };
  }

  private parseCondOr(): CondExpr {
    let left = this.parseCondAnd();
    while (this.isOp('||')) {
      this.pos++;
      left = { type: 'or', left, right: this.parseCondAnd() };
    }
    return left;
  }

  private parseCondAnd(): CondExpr {
    let left = this.parseCondNot();
    while (this.isOp('&&')) {
      this.pos++;
      left = { type: 'and', left, right: this.parseCondNot() };
    }
    return left;
  }

  private parseCondNot(): CondExpr {
    this.enter();
    try {
      return this.parseCondPrimary();
    } finally {
      this.depth--;
    }
  }

  private parseCondPrimary(): CondExpr {
    if (this.keyword() === '!') {
      this.pos++;
      return { type: 'not', expr: this.parseCondNot() };
    }
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.parseCondOr();
      if (!this.isOp(')')) throw this.unexpected();
      this.pos++;
      return inner;
    }
    // One test: words up to `]]`, `&&`, `||` or `)`; `<` and `>` compare strings here.
    const words: Word[] = [];
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.type === 'word') {
        if (literal(t.word) === ']]') break;
        words.push(t.word);
      } else if (t.type === 'redir' && (t.raw === '<' || t.raw === '>')) {
        words.push([{ kind: 'text', text: t.raw, quoted: true }]);
      } else break;
      this.pos++;
    }
    if (!words.length) throw this.unexpected();
    return { type: 'test', words };
  }
}

/** Parses source text (one line or a whole script). Blank or comment-only text gives []. */
export function parse(src: string): List {
  return newParser(src).parseProgram();
}

function newParser(src: string): Parser {
  const lines = src.split('\n').length;
  // bash counts a last line without its newline as if it had one.
  return new Parser(tokenize(src), src.endsWith('\n') ? lines : lines + 1);
}

/**
 * Parses a program a line at a time, as bash reads a script: the lines before a syntax error
 * run, and the error is thrown when the parser reaches it.
 */
export function* parseLines(src: string): Generator<List> {
  const parser = newParser(src);
  for (let line = parser.parseNextLine(); line; line = parser.parseNextLine()) yield line;
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
