// Bash-like line editing over a terminal: it turns what xterm.js reports as typed (onData) into
// edits of one line and the escape sequences that redraw it. No DOM, no xterm: tested in Node.

import type { Completion } from '../workers/host-api.ts';

export type EditorEvent =
  | { type: 'submit'; line: string }
  | { type: 'interrupt' }
  | { type: 'complete'; line: string; cursor: number; repeated: boolean }
  | { type: 'clear' };

export class LineEditor {
  private line = '';
  private cursor = 0;
  /** Where history browsing stands: history.length means "the line being typed". */
  private historyIndex: number;
  private draft = '';
  private lastWasTab = false;

  /**
   * `history` is the shell's own list (what `history` prints), oldest first: the host keeps
   * it, and the terminal hands it over again after each line (`setHistory`).
   */
  /** What is shown before the line: PS1, or PS2 ('> ') while a command is unfinished. */
  private prompt: string;

  constructor(
    private readonly primary: string,
    private readonly write: (text: string) => void,
    private readonly cols: () => number,
    private history: readonly string[] = [],
  ) {
    this.prompt = primary;
    this.historyIndex = history.length;
  }

  /** The shell's history as it is now; browsing starts again from the line being typed. */
  setHistory(history: readonly string[]): void {
    this.history = history;
    this.historyIndex = history.length;
  }

  get text(): string {
    return this.line;
  }

  get cursorIndex(): number {
    return this.cursor;
  }

  /** Starts a new line: after PS1, or after PS2 ('> ') when `continued` (an open `for ... do`). */
  showPrompt(continued = false): void {
    this.prompt = continued ? '> ' : this.primary;
    this.line = '';
    this.cursor = 0;
    this.historyIndex = this.history.length;
    this.write(this.prompt);
  }

  /**
   * Feeds typed or pasted data. Stops at the first event that needs the host (submit,
   * complete) and returns the unread rest, to be fed again once the host has answered.
   */
  input(data: string): { events: EditorEvent[]; rest: string } {
    const events: EditorEvent[] = [];
    let i = 0;
    while (i < data.length) {
      const seq = readSequence(data, i);
      i += seq.length;
      const wasTab = this.lastWasTab;
      this.lastWasTab = false;
      const event = this.key(seq, wasTab);
      if (event) {
        events.push(event);
        if (event.type === 'submit' || event.type === 'complete') break;
        // A CRLF paste: the LF after a CR is part of the same Enter.
      }
    }
    if (events.at(-1)?.type === 'submit' && data[i] === '\n' && data[i - 1] === '\r') i++;
    return { events, rest: data.slice(i) };
  }

  /** Applies the shell's answer to a Tab, as bash does. */
  applyCompletion(c: Completion, repeated: boolean): void {
    const word = this.line.slice(c.start, this.cursor);
    if (c.candidates.length === 0) {
      this.write('\x07');
      return;
    }
    if (c.candidates.length === 1) {
      const only = c.candidates[0];
      this.replaceWord(c.start, only.endsWith('/') ? only : `${only} `);
      return;
    }
    const common = commonPrefix(c.candidates);
    if (common.length > word.length) {
      this.replaceWord(c.start, common);
      return;
    }
    this.lastWasTab = true;
    if (!repeated) {
      this.write('\x07');
      return;
    }
    // Second Tab: list the candidates in columns under the line, then redraw it.
    this.moveToEnd();
    this.write(`\r\n${columns(c.candidates, this.cols())}`);
    this.write(this.prompt + this.line);
    this.placeCursor(this.prompt.length + this.line.length);
  }

  /** Clears the screen and redraws the current line at the top (Ctrl-L). */
  redrawAfterClear(): void {
    this.write('\x1b[H\x1b[2J' + this.prompt + this.line);
    this.placeCursor(this.prompt.length + this.line.length);
  }

  private key(seq: string, wasTab: boolean): EditorEvent | null {
    switch (seq) {
      case '\r':
      case '\n': {
        const line = this.line;
        this.moveToEnd();
        this.write('\r\n');
        this.historyIndex = this.history.length;
        this.line = '';
        this.cursor = 0;
        return { type: 'submit', line };
      }
      case '\x03': // Ctrl-C: bash prints ^C, drops the line and prompts again
        this.moveToEnd();
        this.write('^C\r\n');
        this.line = '';
        this.cursor = 0;
        this.historyIndex = this.history.length;
        return { type: 'interrupt' };
      case '\x0c':
        return { type: 'clear' };
      case '\t':
        return { type: 'complete', line: this.line, cursor: this.cursor, repeated: wasTab };
      case '\x7f':
      case '\b':
        if (this.cursor > 0)
          this.edit(
            this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor),
            this.cursor - 1,
          );
        return null;
      case '\x1b[3~':
        if (this.cursor < this.line.length)
          this.edit(
            this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1),
            this.cursor,
          );
        return null;
      case '\x1b[D':
      case '\x02':
        if (this.cursor > 0) this.edit(this.line, this.cursor - 1);
        return null;
      case '\x1b[C':
      case '\x06':
        if (this.cursor < this.line.length) this.edit(this.line, this.cursor + 1);
        return null;
      case '\x01':
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
        this.edit(this.line, 0);
        return null;
      case '\x05':
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        this.edit(this.line, this.line.length);
        return null;
      case '\x15': // Ctrl-U: kill to the start of the line
        this.edit(this.line.slice(this.cursor), 0);
        return null;
      case '\x0b': // Ctrl-K: kill to the end
        this.edit(this.line.slice(0, this.cursor), this.cursor);
        return null;
      case '\x17': {
        // Ctrl-W: kill the whitespace-delimited word before the cursor
        const cut = this.line.slice(0, this.cursor).search(/\S*\s*$/);
        this.edit(this.line.slice(0, cut) + this.line.slice(this.cursor), cut);
        return null;
      }
      case '\x1b[A':
        this.browseHistory(-1);
        return null;
      case '\x1b[B':
        this.browseHistory(1);
        return null;
      default:
        if (seq.startsWith('\x1b') || seq < ' ') return null; // unhandled keys are ignored
        this.edit(
          this.line.slice(0, this.cursor) + seq + this.line.slice(this.cursor),
          this.cursor + seq.length,
        );
        return null;
    }
  }

  private browseHistory(step: number): void {
    const next = this.historyIndex + step;
    if (next < 0 || next > this.history.length) return;
    if (this.historyIndex === this.history.length) this.draft = this.line;
    this.historyIndex = next;
    const line = next === this.history.length ? this.draft : this.history[next];
    this.edit(line, line.length);
  }

  private replaceWord(start: number, text: string): void {
    const line = this.line.slice(0, start) + text + this.line.slice(this.cursor);
    this.edit(line, start + text.length);
  }

  private moveToEnd(): void {
    if (this.cursor !== this.line.length) this.edit(this.line, this.line.length);
  }

  /** Replaces the line and cursor, then redraws from the prompt's end. */
  private edit(line: string, cursor: number): void {
    const cols = Math.max(1, this.cols());
    const p = this.prompt.length;
    // Go back to where the line starts (just after the prompt), which may be rows above.
    const from = p + this.cursor;
    let out = moveBy(from, p, cols);
    out += line + '\x1b[J';
    const end = p + line.length;
    // At the right margin xterm waits to wrap; a space + CR makes the wrap happen now.
    if (end % cols === 0 && line.length > 0) out += ' \r\x1b[K';
    out += moveBy(end, p + cursor, cols);
    this.line = line;
    this.cursor = cursor;
    this.write(out);
  }

  private placeCursor(at: number): void {
    const cols = Math.max(1, this.cols());
    const end = this.prompt.length + this.line.length;
    let out = '';
    if (end % cols === 0 && end > 0) out += ' \r\x1b[K';
    out += moveBy(end, at, cols);
    if (out) this.write(out);
  }
}

/** Escape sequences to move the cursor from offset `from` to offset `to` in a wrapped line. */
function moveBy(from: number, to: number, cols: number): string {
  const rowFrom = Math.floor(from / cols);
  const rowTo = Math.floor(to / cols);
  const colFrom = from % cols;
  const colTo = to % cols;
  let out = '';
  if (rowTo < rowFrom) out += `\x1b[${rowFrom - rowTo}A`;
  if (rowTo > rowFrom) out += `\x1b[${rowTo - rowFrom}B`;
  if (colTo < colFrom) out += `\x1b[${colFrom - colTo}D`;
  if (colTo > colFrom) out += `\x1b[${colTo - colFrom}C`;
  return out;
}

/** One key's worth of input: a CSI/SS3 sequence, or one character. */
function readSequence(data: string, i: number): string {
  if (data[i] !== '\x1b') {
    const cp = data.codePointAt(i)!;
    return String.fromCodePoint(cp);
  }
  if (data[i + 1] === '[') {
    let j = i + 2;
    while (j < data.length && !/[A-Za-z~]/.test(data[j])) j++;
    return data.slice(i, j + 1);
  }
  if (data[i + 1] === 'O') return data.slice(i, i + 3);
  return data.slice(i, i + 2);
}

export function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0];
  for (const w of words) {
    while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/** Lays out words in columns across `width`, sorted down the columns as bash does. */
export function columns(words: string[], width: number): string {
  const sorted = [...words].sort();
  const colWidth = Math.max(...sorted.map((w) => w.length)) + 2;
  const perRow = Math.max(1, Math.floor(width / colWidth));
  const rows = Math.ceil(sorted.length / perRow);
  let out = '';
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < perRow; c++) {
      const w = sorted[c * rows + r];
      if (w !== undefined) cells.push(w.padEnd(colWidth));
    }
    out += cells.join('').trimEnd() + '\r\n';
  }
  return out;
}
