// Ctrl-Z as bash 5.2 does it: tests/golden/bash/record-stop.sh typed its lines and keys into an
// interactive bash in tmux and kept the screen (stop.txt); here the same lines and keys, with
// the same pauses on the lab clock, must print the same screen (PIDs aside).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

const golden = (name: string) =>
  readFileSync(new URL(`../../../tests/golden/bash/${name}`, import.meta.url), 'utf8');

type Step = { line: string; pause: number } | { key: 'C-z' | 'C-c'; pause: number };

/** The lines and keys record-stop.sh types and the seconds it waits after each. */
function steps(): Step[] {
  const out: Step[] = [];
  for (const l of golden('record-stop.sh').split('\n')) {
    const typed = /^type_line '(.*)'(?: ([\d.]+))?$/.exec(l);
    if (typed) out.push({ line: typed[1], pause: Number(typed[2] ?? 0.5) });
    const key = /^press (C-z|C-c)(?: ([\d.]+))?$/.exec(l);
    if (key) out.push({ key: key[1] as 'C-z' | 'C-c', pause: Number(key[2] ?? 0.5) });
    const pause = /^sleep ([\d.]+)$/.exec(l);
    if (pause && out.length) out[out.length - 1].pause += Number(pause[1]);
  }
  return out;
}

const maskPids = (screen: string) =>
  screen.replace(/^(\[\d+\]) \d+$/gm, '$1 PID').replace(/^\d+$/gm, 'PID');

function setup() {
  const host = fakeHost();
  const shell = createShell(host, createDefaultRegistry());
  const screen: string[] = [];
  let io = recordingIO();
  let running: Promise<number> = Promise.resolve(0);
  let interrupted = false;
  /** Lets lab time pass 100 ms at a time (what a timer starts may set another). */
  const pass = async (seconds: number) => {
    for (let t = 0; t < seconds * 10; t++) await host.clock.advance(100);
  };
  const play = async (step: Step) => {
    if ('line' in step) {
      await running;
      screen.push(`$ ${step.line}\n`);
      io = recordingIO();
      io.stdout = io.stderr = (t) => screen.push(t);
      interrupted = false;
      running = shell.run(step.line, io).then((status) => {
        // The terminal starts the prompt on a fresh line after ^C.
        if (interrupted) screen.push('\n');
        return status;
      });
    } else if (step.key === 'C-z') {
      screen.push('^Z');
      shell.suspend();
    } else {
      screen.push('^C');
      interrupted = true;
      io.controller.abort();
    }
    await pass(step.pause);
  };
  return { host, shell, play, pass, screen: () => screen.join('') };
}

describe('Ctrl-Z', () => {
  it('prints what bash 5.2 printed for the recorded lines and keys', async () => {
    const { play, screen } = setup();
    for (const step of steps()) await play(step);
    expect(maskPids(screen())).toBe(maskPids(golden('stop.txt')));
  });

  it('freezes a stopped job: its sleep does not end until it is continued', async () => {
    const { play, screen } = setup();
    await play({ line: 'sleep 2; echo woke', pause: 0.5 });
    await play({ key: 'C-z', pause: 5 });
    await play({ line: 'jobs', pause: 0.1 });
    expect(screen()).not.toMatch(/^woke$/m);
    expect(screen()).toMatch(
      /\[1\]\+ {2}Stopped {17}sleep 2; echo woke\n\$ jobs\n\[1\]\+ {2}Stopped/,
    );
    await play({ line: 'fg', pause: 0.1 });
    await play({ line: 'true', pause: 0 });
    expect(screen()).toMatch(/\$ fg\nsleep 2; echo woke\nwoke\n\$ true\n$/);
  });

  it('gives $! the PID of the last background job', async () => {
    const { shell } = setup();
    const io = recordingIO();
    await shell.run('sleep 10 &', io);
    await shell.run('echo $!', io);
    const pid = /\[1\] (\d+)/.exec(io.err.join(''))![1];
    expect(io.out.join('')).toBe(`${pid}\n`);
  });
});
