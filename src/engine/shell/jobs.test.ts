// Job control as bash 5.2 does it: tests/golden/bash/record-jobs.sh typed its lines into an
// interactive bash in tmux and kept the screen (jobs.txt); here the same lines, with the same
// pauses on the lab clock, must print the same screen (PIDs aside).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

const golden = (name: string) =>
  readFileSync(new URL(`../../../tests/golden/bash/${name}`, import.meta.url), 'utf8');

/** The lines record-jobs.sh types and the seconds it waits after each (0.5 by default). */
function steps(): { line: string; pause: number }[] {
  const out: { line: string; pause: number }[] = [];
  for (const l of golden('record-jobs.sh').split('\n')) {
    const typed = /^type_line '(.*)'(?: ([\d.]+))?$/.exec(l);
    if (typed) out.push({ line: typed[1], pause: Number(typed[2] ?? 0.5) });
    const pause = /^sleep ([\d.]+)$/.exec(l);
    if (pause && out.length) out[out.length - 1].pause += Number(pause[1]);
  }
  return out;
}

const maskPids = (screen: string) => screen.replace(/^(\[\d+\]) \d+$/gm, '$1 PID');

function setup() {
  const host = fakeHost();
  const shell = createShell(host, createDefaultRegistry());
  const screen: string[] = [];
  /** Types a line, lets `pause` seconds of lab time pass, and waits for its prompt. */
  const type = async (line: string, pause = 0.5) => {
    screen.push(`$ ${line}\n`);
    const io = recordingIO();
    io.stdout = io.stderr = (t) => screen.push(t);
    const status = shell.run(line, io);
    await host.clock.advance(pause * 1000);
    return status;
  };
  return { host, shell, type, screen: () => screen.join('') };
}

describe('job control', () => {
  it('prints what bash 5.2 printed for the recorded lines', async () => {
    const { type, screen } = setup();
    for (const { line, pause } of steps()) await type(line, pause);
    expect(maskPids(screen())).toBe(maskPids(golden('jobs.txt')));
  });

  it('returns the prompt at once while the job runs, and gives numbers and PIDs in turn', async () => {
    const { host, shell, type } = setup();
    const io = recordingIO();
    expect(await shell.run('sleep 100 &', io)).toBe(0);
    expect(await shell.run('sleep 200 &', io)).toBe(0);
    expect(io.err.join('')).toMatch(/^\[1\] (\d+)\n\[2\] (\d+)\n$/);
    const [a, b] = [...io.err.join('').matchAll(/\] (\d+)/g)].map((m) => Number(m[1]));
    expect(b).toBe(a + 1);
    await host.clock.advance(100_000);
    expect(await type('kill %2')).toBe(0);
  });

  it('keeps a background job running through a foreground Ctrl-C', async () => {
    const { host, shell } = setup();
    await shell.run('sleep 5 && echo done &', recordingIO());
    const fgIo = recordingIO();
    const fg = shell.run('sleep 100', fgIo);
    fgIo.controller.abort();
    expect(await fg).toBe(130);
    const later = recordingIO();
    await host.clock.advance(5000);
    await shell.run('true', later);
    expect(later.err.join('')).toBe('[1]+  Done                    sleep 5 && echo done\n');
  });

  it('fg passes Ctrl-C on to the job and returns its status', async () => {
    const { shell } = setup();
    await shell.run('sleep 100 &', recordingIO());
    const io = recordingIO();
    const fg = shell.run('fg %1', io);
    io.controller.abort();
    expect(await fg).toBe(130);
    expect(io.out.join('')).toBe('sleep 100\n');
    const jobs = recordingIO();
    await shell.run('jobs', jobs);
    expect(jobs.all.join('')).toBe('');
  });

  it('drops what a killed job would still print, and wait stops on Ctrl-C', async () => {
    const { host, shell } = setup();
    const out = recordingIO();
    await shell.run('sleep 1 && echo late &', out);
    await shell.run('kill %1', out);
    await host.clock.advance(2000);
    expect(out.out.join('')).toBe('');
    await shell.run('sleep 100 &', recordingIO());
    const io = recordingIO();
    const waiting = shell.run('wait', io);
    io.controller.abort();
    expect(await waiting).toBe(130);
  });
});
