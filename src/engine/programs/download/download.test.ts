import { describe, expect, it } from 'vitest';
import { fakeHost, recordingIO } from '../../testing/host.ts';
import { download } from './download.ts';

function setup() {
  const host = fakeHost();
  host.fs.mkdir('/tmp', { recursive: true });
  host.fs.writeFile('/tmp/x.pcap', new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]));
  const saved: { name: string; bytes: number[] }[] = [];
  const io = {
    ...recordingIO(),
    download: (name: string, bytes: Uint8Array) => saved.push({ name, bytes: [...bytes] }),
  };
  return { host, io, saved };
}

describe('download', () => {
  it('hands the file bytes and base name to the terminal, silently', async () => {
    const { host, io, saved } = setup();
    expect(await download(['download', '/tmp/x.pcap'], io, host)).toBe(0);
    expect(saved).toEqual([{ name: 'x.pcap', bytes: [0xd4, 0xc3, 0xb2, 0xa1, 2, 0] }]);
    expect(io.all).toEqual([]);
  });

  it('takes relative names from the working directory', async () => {
    const { host, io, saved } = setup();
    host.fs.mkdir('/root', { recursive: true });
    host.fs.writeFile('/root/notes.txt', 'hi\n');
    expect(await download(['download', 'notes.txt'], io, host)).toBe(0);
    expect(saved[0]).toEqual({ name: 'notes.txt', bytes: [104, 105, 10] });
  });

  it('reports a missing file and a directory as coreutils does, and goes on', async () => {
    const { host, io, saved } = setup();
    expect(await download(['download', '/tmp/none', '/tmp', '/tmp/x.pcap'], io, host)).toBe(1);
    expect(io.err.join('')).toBe(
      'download: /tmp/none: No such file or directory\ndownload: /tmp: Is a directory\n',
    );
    expect(saved.map((s) => s.name)).toEqual(['x.pcap']);
  });

  it('needs an operand and rejects unknown options', async () => {
    const { host, io } = setup();
    expect(await download(['download'], io, host)).toBe(1);
    expect(await download(['download', '-z', '/tmp/x.pcap'], io, host)).toBe(1);
    expect(io.err.join('')).toBe(
      "download: missing file operand\nTry 'download --help' for more information.\n" +
        "download: invalid option -- 'z'\nTry 'download --help' for more information.\n",
    );
  });

  it('says so when no terminal can receive the file', async () => {
    const host = fakeHost();
    host.fs.mkdir('/tmp', { recursive: true });
    host.fs.writeFile('/tmp/a', 'a');
    const io = recordingIO();
    expect(await download(['download', '/tmp/a'], io, host)).toBe(1);
    expect(io.err).toEqual(['download: /tmp/a: no terminal to receive the file\n']);
  });
});
