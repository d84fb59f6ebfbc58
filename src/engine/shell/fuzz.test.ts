// No line can crash the shell: random mixes of the language's pieces always end in a status
// (an error message at worst), never an exception out of shell.run.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../lab/local-lab.ts';
import { recordingIO, testShell } from '../testing/host.ts';

const PIECES = [
  'echo', 'a', '$x', '"', "'", '`', '$(', ')', '(', '{', '}', '$((', '))', '1+', '/0', ';', '&&',
  '||', '|', '>', '<', '<<<', '2>&1', 'if', 'then', 'else', 'fi', 'for', 'in', 'do', 'done',
  'while', 'until', 'case', 'esac', ';;', '[[', ']]', '[', ']', '-lt', '==', '!', 'f()', 'local',
  'return', 'break', 'continue', 'read', 'cd', 'test', '${', '${#x}', '${x:-', '*', '?', '{1..3}',
  '{a,b}', '~', '\\', '\n', '<<', 'EOF', '<<-', 'source', 'x=1', 'seq', '2', 'true', 'false', 'shift', 'exit', 'bash', '-c',
]; // prettier-ignore

describe('shell fuzz', () => {
  it('turns 3,000 random lines into statuses, never into exceptions', async () => {
    const random = seededRandom(11);
    for (let i = 0; i < 3000; i++) {
      const { shell } = testShell();
      const n = 1 + Math.floor(random() * 12);
      const line = Array.from(
        { length: n },
        () => PIECES[Math.floor(random() * PIECES.length)],
      ).join(random() < 0.5 ? ' ' : '');
      const status = await shell.run(line, recordingIO()).catch((err: unknown) => {
        throw new Error(`${JSON.stringify(line)}: ${String(err)}`);
      });
      expect(Number.isInteger(status), line).toBe(true);
    }
  }, 60_000);

  it('answers deep nesting with an error, not a stack overflow', async () => {
    const deep = [
      `echo $((${'('.repeat(20000)}1${')'.repeat(20000)}))`,
      `${'('.repeat(20000)}echo${')'.repeat(20000)}`,
      '{ '.repeat(20000),
      `[[ ${'! '.repeat(20000)}a ]]`,
      `echo ${'$('.repeat(3000)}echo${')'.repeat(3000)}`,
    ];
    for (const line of deep) {
      const io = recordingIO();
      await testShell().shell.run(line, io);
      expect(io.err.join('')).toMatch(/nesting level exceeded|recursion level exceeded/);
    }
    const { run } = testShell();
    expect((await run(`echo ${'{a,b}'.repeat(17)} | wc -c`)).out).toBe('2359296\n');
  });
});
