import { describe, expect, it } from 'vitest';
import { MAX_IN_FLIGHT, TerminalOutput } from './terminal-output.ts';

describe('TerminalOutput', () => {
  it('makes a writer wait while the page is behind, and drains in order', async () => {
    const out = new TerminalOutput();
    const answers: (() => void)[] = [];
    for (let i = 0; i <= MAX_IN_FLIGHT; i++)
      out.send(() => new Promise<void>((resolve) => answers.push(resolve)));
    let ready = false;
    void out.ready().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    answers.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(ready).toBe(true);
    let drained = false;
    void out.drained().then(() => (drained = true));
    for (const answer of answers.splice(0, answers.length - 1)) answer();
    await new Promise((r) => setTimeout(r, 0));
    expect(drained).toBe(false);
    answers[0]();
    await new Promise((r) => setTimeout(r, 0));
    expect(drained).toBe(true);
  });
});
