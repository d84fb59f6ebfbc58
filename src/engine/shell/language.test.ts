import { describe, expect, it } from 'vitest';
import type { Program } from '../programs/types.ts';
import { YIELD_EVERY } from './interpreter.ts';
import { recordingIO, testShell } from '../testing/host.ts';

const setup = testShell;

describe('the shell language', () => {
  it('interrupts `while true; do :; done` on Ctrl-C, yielding to the host meanwhile', async () => {
    const { shell } = setup();
    const io = recordingIO();
    const done = shell.run('while true; do :; done; echo never', io);
    let finished = false;
    void done.then(() => (finished = true));
    // This timer of the event loop fires only if the loop yields macrotasks.
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    expect(finished).toBe(false);
    io.controller.abort();
    expect(await done).toBe(130);
    expect(io.all).toEqual([]);
  });

  it('stops a for loop over many items and a recursive function on Ctrl-C', async () => {
    const { shell } = setup();
    const io = recordingIO();
    const done = shell.run(`for i in $(seq ${YIELD_EVERY * 100}); do :; done; echo never`, io);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    io.controller.abort();
    expect(await done).toBe(130);
    expect(io.out).toEqual([]);
  });

  it("caps function recursion with bash's message instead of overflowing the stack", async () => {
    const { run } = setup();
    const r = await run('f() { f; }; f; echo $?');
    expect(r.err).toBe('bash: f: maximum function nesting level exceeded (1000)\n');
    expect(r.out).toBe('1\n');
  });

  it('resolves relative paths from the working directory, for programs and redirections', async () => {
    const { host, run } = setup();
    host.fs.writeFile('/tmp/f', 'from tmp\n');
    expect((await run('cd /tmp; cat f; echo new > g; ls')).out).toBe('from tmp\nf  g\n');
    expect(host.fs.readText('/tmp/g')).toBe('new\n');
    expect((await run('cd ..; pwd; cd -; echo $OLDPWD')).out).toBe('/\n/tmp\n/\n');
  });

  it('reads lines one by one from a redirected file', async () => {
    const { host, run } = setup();
    host.fs.writeFile('/tmp/hosts', 'node1 10.244.0.0\nnode2 10.244.1.0\n');
    expect((await run('while read name net; do echo "$net is $name"; done < /tmp/hosts')).out).toBe(
      '10.244.0.0 is node1\n10.244.1.0 is node2\n',
    );
    expect((await run('read x; echo "[$x]"', 'typed\n')).out).toBe('[typed]\n');
  });

  it('writes to /dev/null without keeping anything, and reads zeros from /dev/zero', async () => {
    const { host, run } = setup();
    await run('echo gone > /dev/null; echo gone >> /dev/null');
    expect(host.fs.readText('/dev/null')).toBe('');
    expect(host.fs.stat('/dev/null').type).toBe('char');
    expect((await run('wc -c < /dev/zero')).out).toBe('65536\n');
  });

  it('passes prefix assignments and exported variables to a program as its environment', async () => {
    const { registry, run } = setup();
    const env: Program = async (_argv, io) => {
      io.stdout(`${io.env?.A ?? '-'} ${io.env?.B ?? '-'} ${io.env?.C ?? '-'}\n`);
      return 0;
    };
    registry.register('showenv', env, 'prints A B C');
    expect((await run('export A=1; B=2; C=3 showenv; echo ${C:-unset}')).out).toBe(
      '1 - 3\nunset\n',
    );
  });

  it('runs a script file line by line, with functions and arguments, until a syntax error', async () => {
    const { host, run } = setup();
    host.fs.writeFile(
      '/root/s.sh',
      'greet() {\n  echo "hello $1"\n}\nfor n in "$@"; do\n  greet $n\ndone\necho $#\nif\n',
    );
    expect(await run('bash s.sh a b')).toEqual({
      status: 2,
      out: 'hello a\nhello b\n2\n',
      err: 's.sh: line 9: syntax error: unexpected end of file\n',
    });
    expect((await run("bash -c 'echo $1-$2' zero one two")).out).toBe('one-two\n');
  });

  it("keeps a subshell's and a pipeline's changes to themselves", async () => {
    const { run } = setup();
    expect((await run('x=1; (x=2; cd /tmp); echo $x $PWD; echo x=3 | read x; echo $x')).out).toBe(
      '1 /root\n1\n',
    );
    expect((await run('x=$(exit 7); echo $?; (exit 3); echo $?')).out).toBe('7\n3\n');
  });

  it('expands `$(...)` inside double quotes, nested, and in $((...))', async () => {
    const { run } = setup();
    expect(
      (await run('n=2; echo "$(echo "in $(echo $((n * 3)))")" $(( $(echo 4) + n ))')).out,
    ).toBe('in 6 6\n');
  });

  it('reports an unclosed substitution as bash does', async () => {
    const { run } = setup();
    expect(await run('echo $(echo a')).toEqual({
      status: 2,
      out: '',
      err: "bash: unexpected EOF while looking for matching `)'\n",
    });
  });

  it('tells an unfinished command from a wrong one, for the PS2 prompt', () => {
    const { shell } = setup();
    for (const src of [
      'for i in 1 2; do',
      "echo 'a",
      'if true; then\necho x',
      'f() {',
      'a |',
      'cat <<EOF\nx',
    ])
      expect(shell.isIncomplete(src)).toBe(true);
    for (const src of ['for i in 1 2; do echo $i; done', 'fi', 'echo a ;; b', ''])
      expect(shell.isIncomplete(src)).toBe(false);
  });
});
