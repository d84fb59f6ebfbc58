import { describe, expect, it } from 'vitest';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

function setup() {
  const host = fakeHost();
  const shell = createShell(host, createDefaultRegistry());
  const run = async (line: string) => {
    const io = recordingIO();
    const status = await shell.run(line, io);
    return { status, out: io.out.join(''), err: io.err.join('') };
  };
  return { shell, run };
}

describe('bash as a program', () => {
  it('runs -c scripts in a child that sees only exported variables', async () => {
    const { run } = setup();
    await run('A=1; export B=2');
    expect(await run('bash -c \'echo "[$A][$B]"; exit 4\'')).toEqual({
      status: 4,
      out: '[][2]\n',
      err: '',
    });
    expect((await run('echo echo piped | bash')).out).toBe('piped\n');
    expect(await run('bash -c')).toEqual({
      status: 2,
      out: '',
      err: 'bash: -c: option requires an argument\n',
    });
  });

  it('nests an interactive shell until exit, which restores the parent', async () => {
    const { shell, run } = setup();
    await run('A=parent');
    expect(await run('bash; echo dropped')).toEqual({ status: 0, out: '', err: '' });
    expect(shell.state.subshells).toHaveLength(1);
    expect((await run('echo "[$A]"; A=child')).out).toBe('[]\n');
    expect(await run('exit 5; echo dropped')).toEqual({ status: 5, out: '', err: 'exit\n' });
    expect(shell.state.exited).toBe(false);
    expect((await run('echo $? $A')).out).toBe('5 parent\n');
    await run('exit');
    expect(shell.state.exited).toBe(true);
  });

  it('rejects unknown options and missing scripts as bash does', async () => {
    const { run } = setup();
    expect((await run('bash -z')).status).toBe(2);
    expect((await run('bash -z')).err).toMatch(/^bash: -z: invalid option\n/);
    expect(await run('bash /tmp/none.sh')).toEqual({
      status: 127,
      out: '',
      err: 'bash: /tmp/none.sh: No such file or directory\n',
    });
  });
});
