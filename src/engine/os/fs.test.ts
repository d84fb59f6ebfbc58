import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { MemoryFileSystem, normalizePath } from './fs.ts';

describe('normalizePath', () => {
  it('resolves dots, repeated slashes and relative paths', () => {
    expect(normalizePath('//run/./flannel/../flannel/subnet.env')).toBe('/run/flannel/subnet.env');
    expect(normalizePath('x.txt')).toBe('/root/x.txt');
    expect(normalizePath('../..', '/a/b/c')).toBe('/a');
    expect(normalizePath('/..')).toBe('/');
  });
});

describe('MemoryFileSystem', () => {
  it('starts with the standard directories', () => {
    const fs = new MemoryFileSystem(new ManualClock(0));
    expect(fs.list('/')).toEqual(['dev', 'etc', 'root', 'run', 'tmp', 'var']);
    expect(fs.list('/dev')).toEqual(['null', 'zero']);
    expect(fs.list('/var')).toEqual(['lib', 'log']);
  });

  it('writes, reads and stats files with lab-clock mtimes', async () => {
    const clock = new ManualClock(1000);
    const fs = new MemoryFileSystem(clock);
    fs.mkdir('/run/flannel');
    await clock.advance(500);
    fs.writeFile('/run/flannel/subnet.env', 'FLANNEL_MTU=1450\n');
    expect(fs.readText('/run/flannel/subnet.env')).toBe('FLANNEL_MTU=1450\n');
    expect(fs.stat('/run/flannel/subnet.env')).toEqual({ type: 'file', size: 17, mtime: 1500 });
    fs.appendFile('/run/flannel/subnet.env', 'X=1\n');
    expect(fs.readText('/run/flannel/subnet.env')).toBe('FLANNEL_MTU=1450\nX=1\n');
    expect(fs.stat('/run').type).toBe('dir');
  });

  it('returns copies, so callers cannot change stored bytes', () => {
    const fs = new MemoryFileSystem(new ManualClock(0));
    const data = new Uint8Array([1, 2, 3]);
    fs.writeFile('/tmp/b', data);
    data[0] = 9;
    fs.readFile('/tmp/b')[1] = 9;
    expect([...fs.readFile('/tmp/b')]).toEqual([1, 2, 3]);
  });

  it('throws the errno coreutils would report', () => {
    const fs = new MemoryFileSystem(new ManualClock(0));
    fs.writeFile('/tmp/f', 'x');
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'ok';
    };
    expect(code(() => fs.readFile('/nope'))).toBe('ENOENT');
    expect(code(() => fs.readFile('/tmp'))).toBe('EISDIR');
    expect(code(() => fs.writeFile('/no/dir/f', 'x'))).toBe('ENOENT');
    expect(code(() => fs.writeFile('/tmp/f/g', 'x'))).toBe('ENOTDIR');
    expect(code(() => fs.readFile('/tmp/f/g'))).toBe('ENOTDIR');
    expect(code(() => fs.writeFile('/tmp', 'x'))).toBe('EISDIR');
    expect(code(() => fs.mkdir('/tmp'))).toBe('EEXIST');
    expect(code(() => fs.mkdir('/a/b'))).toBe('ENOENT');
    expect(code(() => fs.list('/tmp/f'))).toBe('ENOTDIR');
    expect(code(() => fs.remove('/tmp'))).toBe('ENOTEMPTY');
    expect(code(() => fs.remove('/'))).toBe('EINVAL');
    fs.mkdir('/a/b/c', { recursive: true });
    fs.mkdir('/a/b', { recursive: true });
    fs.remove('/a', { recursive: true });
    expect(fs.exists('/a')).toBe(false);
    expect(fs.exists('/a/b/c')).toBe(false);
  });

  it('survives a JSON round trip of its snapshot', async () => {
    const clock = new ManualClock(0);
    const fs = new MemoryFileSystem(clock);
    fs.mkdir('/etc/cni/net.d', { recursive: true });
    fs.writeFile('/etc/cni/net.d/10-flannel.conflist', '{"name":"cbr0"}');
    const bytes = new Uint8Array(256).map((_, i) => i);
    for (let n = 0; n < 4; n++) fs.writeFile(`/tmp/bin${n}`, bytes.subarray(0, 253 + n));
    await clock.advance(10);
    const json = JSON.parse(JSON.stringify(fs.snapshot()));
    const back = MemoryFileSystem.restore(new ManualClock(99), json);
    expect(back.readText('/etc/cni/net.d/10-flannel.conflist')).toBe('{"name":"cbr0"}');
    for (let n = 0; n < 4; n++)
      expect(back.readFile(`/tmp/bin${n}`)).toEqual(bytes.subarray(0, 253 + n));
    expect(back.stat('/tmp/bin0').mtime).toBe(0);
    expect(back.snapshot()).toEqual(fs.snapshot());
  });

  it('rejects a malformed snapshot with an FsError', () => {
    const clock = new ManualClock(0);
    expect(() => MemoryFileSystem.restore(clock, { version: 2 } as never)).toThrow('EINVAL');
    expect(() =>
      MemoryFileSystem.restore(clock, {
        version: 1,
        entries: [{ path: '/x', type: 'file', mtime: 0, data: '!!' }],
      }),
    ).toThrow('EINVAL');
  });
});
