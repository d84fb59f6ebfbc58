// Pipelines stream as on Linux: every stage runs at once, a line reaches the next stage as it is
// written, a stage whose reader has gone is stopped, and Ctrl-C ends them all.

import { describe, expect, it } from 'vitest';
import { Pipe, readAll } from '../os/pipe.ts';
import { yieldToHost } from '../os/yield.ts';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

function setup() {
  const host = fakeHost();
  const shell = createShell(host, createDefaultRegistry());
  return { host, shell };
}

describe('pipelines', () => {
  it('hands each line to the next stage as it is written, not when the writer ends', async () => {
    const { host, shell } = setup();
    // grep loads its matcher on its first run (a module import, not lab time).
    await shell.run('grep -q x /dev/null', recordingIO());
    const io = recordingIO();
    const done = shell.run('for i in 1 2 3; do echo tick $i; sleep 1; done | grep tick', io);
    await host.clock.advance(1500);
    expect(io.out.join('')).toBe('tick 1\ntick 2\n');
    for (let i = 0; i < 3; i++) await host.clock.advance(1000);
    expect(await done).toBe(0);
    expect(io.out.join('')).toBe('tick 1\ntick 2\ntick 3\n');
  });

  it('stops a writer that never ends once its reader exits (SIGPIPE)', async () => {
    const { shell } = setup();
    const io = recordingIO();
    expect(await shell.run('while true; do echo y; done | head -n 2', io)).toBe(0);
    expect(io.out.join('')).toBe('y\ny\n');
    expect(await shell.run('yes | grep -c y | head -1 &', io)).toBe(0);
  });

  it('ends every stage on Ctrl-C', async () => {
    const { host, shell } = setup();
    const io = recordingIO();
    const done = shell.run('sleep 100 | sleep 200 | cat', io);
    await host.clock.advance(1000);
    io.controller.abort();
    expect(await done).toBe(130);
  });

  it('counts a flood in flat memory: the pipe holds at most its capacity', async () => {
    const { host, shell } = setup();
    const io = recordingIO();
    let most = 0;
    const write = Pipe.prototype.write;
    Pipe.prototype.write = function (this: Pipe, text: string) {
      write.call(this, text);
      most = Math.max(most, (this as unknown as { size: number }).size);
    };
    try {
      const done = shell.run('yes | wc -l', io);
      for (let i = 0; i < 50; i++) await yieldToHost();
      io.controller.abort();
      expect(await done).toBe(130);
    } finally {
      Pipe.prototype.write = write;
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2 * 65536);
    void host;
  });

  it('keeps what `read` did not take for the next command of the group', async () => {
    const { shell } = setup();
    const io = recordingIO();
    await shell.run('printf \'a\\nb\\nc\\n\' | { read x; echo "x=$x"; cat; }', io);
    expect(io.out.join('')).toBe('x=a\nb\nc\n');
  });
});

describe('Pipe', () => {
  it('makes a writer wait while full, and gives the reader everything in order', async () => {
    const pipe = new Pipe(4);
    pipe.write('abcd');
    let ready = false;
    void pipe.ready().then(() => (ready = true));
    await yieldToHost();
    expect(ready).toBe(false);
    expect(await pipe.read()).toBe('abcd');
    await yieldToHost();
    expect(ready).toBe(true);
    pipe.write('ef');
    pipe.close();
    expect(await readAll(pipe)).toBe('ef');
  });

  it('breaks when the reader goes: writes are dropped and the writer is told once', async () => {
    const pipe = new Pipe();
    let broken = 0;
    pipe.onBroken = () => broken++;
    pipe.closeReader();
    pipe.closeReader();
    pipe.write('lost');
    await pipe.ready();
    expect(broken).toBe(1);
    expect(await pipe.read()).toBe(null);
  });
});
