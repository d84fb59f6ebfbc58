// Each line of tests/golden/bash/cases.sh, run in a fresh shell, prints what bash 5.2 printed
// for it (stdout and stderr together) and exits as it did: tests/golden/bash/record.sh made
// language.txt on a Debian host.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

interface Case {
  line: string;
  output: string;
  status: number;
}

function loadCases(): Case[] {
  const text = readFileSync(
    new URL('../../../tests/golden/bash/language.txt', import.meta.url),
    'utf8',
  );
  const cases: Case[] = [];
  for (const block of text.split(/^\$ /m).slice(1)) {
    const [line, ...rest] = block.split('\n');
    const exit = rest.findIndex((l) => /^\[exit \d+\]$/.test(l));
    cases.push({
      line,
      output: rest
        .slice(0, exit)
        .map((l) => l + '\n')
        .join(''),
      status: Number(/\d+/.exec(rest[exit])?.[0]),
    });
  }
  return cases;
}

describe('bash 5.2 recordings', () => {
  it.each(loadCases())('$line', async ({ line, output, status }) => {
    const host = fakeHost();
    host.fs.writeFile('/etc/hostname', 'node1\n');
    const shell = createShell(host, createDefaultRegistry());
    const io = recordingIO();
    const got = await shell.run(line, io);
    expect(io.all.join('')).toBe(output);
    expect(got).toBe(status);
  });
});
