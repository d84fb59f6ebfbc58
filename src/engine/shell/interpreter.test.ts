import { describe, expect, it } from 'vitest';
import type { Program } from '../programs/types.ts';
import { runArgv } from './interpreter.ts';
import { recordingIO, testShell } from '../testing/host.ts';

const setup = testShell;

describe('shell', () => {
  it('pipes the whole stdout of one program into the next', async () => {
    const { host, run } = setup();
    host.fs.writeFile('/tmp/f', 'alpha\nbeta\ngamma\n');
    expect(await run('cat /tmp/f | grep a | wc -l')).toEqual({ status: 0, out: '3\n', err: '' });
    expect(await run('cat /tmp/f | grep -v a')).toEqual({ status: 1, out: '', err: '' });
  });

  it('keeps $? and honours && and ||', async () => {
    const { run } = setup();
    expect((await run('false; echo $?')).out).toBe('1\n');
    expect((await run('true && echo yes || echo no')).out).toBe('yes\n');
    expect((await run('false && echo yes || echo no')).out).toBe('no\n');
    expect((await run('false || false && echo x; echo $?')).out).toBe('1\n');
  });

  it('reports unknown commands with status 127', async () => {
    const { run } = setup();
    expect(await run('foo bar')).toEqual({
      status: 127,
      out: '',
      err: 'bash: foo: command not found\n',
    });
    expect((await run('foo; echo $?')).out).toBe('127\n');
  });

  it('prints syntax errors with status 2', async () => {
    const { run } = setup();
    expect(await run('echo a | | b')).toEqual({
      status: 2,
      out: '',
      err: "bash: syntax error near unexpected token `|'\n",
    });
  });

  it('sets, exports and expands variables, splitting unquoted ones', async () => {
    const { run } = setup();
    await run('X="a   b"');
    expect((await run('echo $X "$X" ${X}c')).out).toBe('a b a   b a bc\n');
    expect((await run('echo $NOPE x')).out).toBe('x\n');
    expect((await run('echo "$NOPE" x')).out).toBe(' x\n');
    expect((await run('echo $HOME $HOSTNAME ~')).out).toBe('/root node1 /root\n');
    expect((await run('export ETCDCTL_API=3; export | grep ETCD')).out).toBe(
      'declare -x ETCDCTL_API="3"\n',
    );
    expect((await run('export 1a=2')).err).toBe("bash: export: `1a=2': not a valid identifier\n");
  });

  it('redirects into and out of files in host.fs', async () => {
    const { host, run } = setup();
    await run('echo one > /tmp/x; echo two >> /tmp/x');
    expect(host.fs.readText('/tmp/x')).toBe('one\ntwo\n');
    expect((await run('wc -l < /tmp/x')).out).toBe('2\n');
    await run('cat /nope > /tmp/err 2>&1');
    expect(host.fs.readText('/tmp/err')).toBe('cat: /nope: No such file or directory\n');
    const r = await run('cat /nope 2>&1 > /tmp/out');
    expect(r.out).toBe('cat: /nope: No such file or directory\n');
    expect(host.fs.readText('/tmp/out')).toBe('');
    expect(await run('echo a > /no/dir/f')).toEqual({
      status: 1,
      out: '',
      err: 'bash: /no/dir/f: No such file or directory\n',
    });
    expect((await run('cat < /nope')).err).toBe('bash: /nope: No such file or directory\n');
    expect((await run('echo a >&3')).err).toBe('bash: 3: Bad file descriptor\n');
  });

  it('keeps history (ignoring duplicates and space-led lines) and prints it like bash', async () => {
    const { shell, run } = setup();
    await run('echo a');
    await run('echo a');
    await run(' secret');
    await run('history');
    expect(shell.history).toEqual(['echo a', 'history']);
    expect((await run('history 1')).out).toBe('    3  history 1\n');
  });

  it('starts with the lines of earlier sessions (HISTFILE), as many as HISTSIZE', async () => {
    const { shell, run } = setup({ history: ['echo 1', 'echo 2', 'echo 3'], historySize: 2 });
    expect(shell.history).toEqual(['echo 2', 'echo 3']);
    expect((await run('history')).out).toBe('    1  echo 3\n    2  history\n');
  });

  it('lists commands with help and clears with clear', async () => {
    const { run } = setup();
    const help = (await run('help')).out;
    expect(help).toMatch(/^ {2}ping +send ICMP ECHO_REQUEST to network hosts$/m);
    expect(help).toMatch(/^ {2}history +display the command history list$/m);
    expect((await run('clear')).out).toBe('\x1b[H\x1b[2J');
  });

  it('stops the line on Ctrl-C', async () => {
    const { host, run, shell } = setup();
    const io = recordingIO();
    const done = shell.run('sleep 10; echo after', io);
    await host.clock.advance(1000);
    io.controller.abort();
    expect(await done).toBe(130);
    expect(io.out).toEqual([]);
    expect((await run('echo $?')).out).toBe('130\n');
  });

  it('turns a crashing program into an error line, not a crash', async () => {
    const { registry, run } = setup();
    const boom: Program = async () => {
      throw new Error('kaboom');
    };
    registry.register('boom', boom, 'crashes');
    expect(await run('boom; echo still here')).toEqual({
      status: 0,
      out: 'still here\n',
      err: 'boom: kaboom\n',
    });
  });

  it('exit ends the shell with the given status', async () => {
    const { shell, run } = setup();
    expect((await run('exit 3; echo no')).status).toBe(3);
    expect(shell.state.exited).toBe(true);
  });

  it('runArgv runs a program without a shell, for ip netns exec', async () => {
    const { host, registry } = setup();
    const io = recordingIO();
    expect(await runArgv(['echo', '$X', '|'], io, host, registry)).toBe(0);
    expect(io.out.join('')).toBe('$X |\n');
    expect(await runArgv(['nope'], io, host, registry)).toBe(255);
    expect(io.err.join('')).toBe('exec of "nope" failed: No such file or directory\n');
  });
});
