// Standard input as a stream, and the pipe between two stages of a pipeline.
//
// A program reads its stdin chunk by chunk (`read()` resolves once data or the end is there),
// so `ping X | grep ttl` prints each line as ping writes it. A Pipe holds what its writer wrote
// and the reader has not taken yet; past PIPE_CAPACITY (Linux's 64 KiB) a writer that asks
// `ready()` waits until the reader catches up: the back-pressure that keeps `yes | wc -l` flat.
// A writer never loses data by writing more (a program that never asks just buffers). When the
// reader goes away (`head -1` exits), the pipe is broken: writes are dropped and `onBroken`
// fires, the SIGPIPE that ends the writer.

/** Linux's default pipe capacity, in characters here. */
export const PIPE_CAPACITY = 65536;

export interface InputStream {
  /** The next chunk of input, or null at its end. */
  read(): Promise<string | null>;
}

/** Input that is all there from the start: a file, a here-string, a test's stdin. */
export function textInput(text: string): InputStream {
  let rest: string | null = text === '' ? null : text;
  return {
    read: () => {
      const chunk = rest;
      rest = null;
      return Promise.resolve(chunk);
    },
  };
}

/**
 * The terminal as stdin. Programs here do not read the keyboard, so it reads as empty; `bash`
 * tells it from a redirected stdin to start an interactive shell rather than run a script.
 */
export const TERMINAL_INPUT: InputStream = { read: () => Promise.resolve(null) };

export class Pipe implements InputStream {
  private chunks: string[] = [];
  private size = 0;
  private closed = false;
  private broken = false;
  private wakeReader?: () => void;
  private wakeWriters: (() => void)[] = [];
  /** Called once when the reader goes away (the writer's SIGPIPE). */
  onBroken?: () => void;

  constructor(private readonly capacity = PIPE_CAPACITY) {}

  write(text: string): void {
    if (this.broken || this.closed || text === '') return;
    this.chunks.push(text);
    this.size += text.length;
    this.wakeReader?.();
  }

  /** Resolves once the pipe has room again (or nobody reads it any more). */
  ready(): Promise<void> {
    if (this.size < this.capacity || this.broken) return Promise.resolve();
    return new Promise((resolve) => this.wakeWriters.push(resolve));
  }

  /** The writer's end is closed: the reader gets what is left, then the end. */
  close(): void {
    this.closed = true;
    this.wakeReader?.();
  }

  /** The reader's end is closed: what is left is dropped and later writes break the pipe. */
  closeReader(): void {
    if (this.broken) return;
    this.broken = true;
    this.chunks = [];
    this.size = 0;
    this.releaseWriters();
    if (!this.closed) this.onBroken?.();
  }

  async read(): Promise<string | null> {
    while (!this.chunks.length && !this.closed && !this.broken)
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    this.wakeReader = undefined;
    if (!this.chunks.length) return null;
    const chunk = this.chunks.length === 1 ? this.chunks[0] : this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    this.releaseWriters();
    return chunk;
  }

  private releaseWriters(): void {
    const waiting = this.wakeWriters;
    this.wakeWriters = [];
    for (const wake of waiting) wake();
  }
}

/**
 * A buffered reader over a stream, shared by the commands that read one stdin: `read` takes a
 * line off it, and what it did not take is what the next command reads.
 */
export class InputReader implements InputStream {
  private buffer = '';
  private ended = false;

  private constructor(readonly source: InputStream) {}

  /** The stream as a reader (itself when it is one already, so commands share the buffer). */
  static of(stream: InputStream): InputReader {
    return stream instanceof InputReader ? stream : new InputReader(stream);
  }

  async read(): Promise<string | null> {
    if (this.buffer !== '') {
      const chunk = this.buffer;
      this.buffer = '';
      return chunk;
    }
    if (this.ended) return null;
    const chunk = await this.source.read();
    if (chunk === null) this.ended = true;
    return chunk;
  }

  /** The next line with its '\n' (the last may lack one), or null at the end of input. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl + 1);
        this.buffer = this.buffer.slice(nl + 1);
        return line;
      }
      const chunk = this.ended ? null : await this.source.read();
      if (chunk === null) {
        this.ended = true;
        const last = this.buffer;
        this.buffer = '';
        return last === '' ? null : last;
      }
      this.buffer += chunk;
    }
  }
}

/**
 * The stream as a program blocked on it sees it: once `signal` fires (Ctrl-C), a read throws
 * an AbortError, as a read() interrupted by SIGINT kills the process.
 */
export function abortable(stream: InputStream, signal: AbortSignal): InputStream {
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new DOMException('interrupted', 'AbortError'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});
  return {
    read: () => (signal.aborted ? aborted : Promise.race([stream.read(), aborted])),
  };
}

/** True when stdin is the terminal (nothing redirected or piped in). */
export function isTerminalInput(stream: InputStream): boolean {
  return (stream instanceof InputReader ? stream.source : stream) === TERMINAL_INPUT;
}

/** All of a stream's input, once its writer has closed it. */
export async function readAll(stream: InputStream): Promise<string> {
  const chunks: string[] = [];
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read())
    chunks.push(chunk);
  return chunks.join('');
}

/** A stream's lines as they arrive, each with its '\n' (the last may lack one). */
export async function* readLines(stream: InputStream): AsyncGenerator<string> {
  const reader = InputReader.of(stream);
  for (let line = await reader.readLine(); line !== null; line = await reader.readLine())
    yield line;
}
