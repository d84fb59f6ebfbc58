import { describe, expect, it } from 'vitest';
import type { LinkInfo } from '../kernel/types.ts';
import { createStaticHostRegistry } from '../lab/programs-static.ts';
import { createDefaultRegistry, createShell } from './index.ts';
import { fakeHost, recordingIO } from '../testing/host.ts';

function setup(registry = createStaticHostRegistry()) {
  const links: Record<string, string[]> = {
    '': ['lo', 'eth0', 'cni0', 'flannel.1'],
    pod1: ['lo', 'eth0'],
  };
  const host = fakeHost({
    linkDump: (ns) => (links[ns] ?? []).map((name) => ({ name }) as LinkInfo),
    netnsList: () => ['pod1', 'pod2'],
  });
  host.fs.mkdir('/run/flannel');
  host.fs.writeFile('/run/flannel/subnet.env', 'x');
  return createShell(host, registry);
}

describe('completion', () => {
  const c = (line: string) => setup().complete(line, line.length);

  it('completes command names', () => {
    expect(c('pi')).toMatchObject({ from: 0, to: 2, replace: 'ping ', candidates: ['ping'] });
    expect(c('h').candidates).toEqual(['head', 'help', 'history', 'hostname']);
    expect(c('h').replace).toBe('h');
  });

  it('completes ip subcommands and interface names', () => {
    expect(c('ip ro').replace).toBe('route ');
    expect(c('ip route s').replace).toBe('show ');
    expect(c('ip r a').candidates).toEqual(['add', 'append']);
    expect(c('ip link show fl').replace).toBe('flannel.1 ');
    expect(c('tcpdump -i c').replace).toBe('cni0 ');
  });

  it('completes netns names and commands inside ip netns exec', () => {
    expect(c('ip netns exec p').candidates).toEqual(['pod1', 'pod2']);
    expect(c('ip netns exec pod1 pi').replace).toBe('ping ');
    expect(c('ip netns exec pod1 ip addr show dev e').replace).toBe('eth0 ');
    expect(c('ip netns exec pod1 ip addr show dev c').candidates).toEqual([]);
  });

  it("completes the host programs' subcommands and operands", () => {
    expect(c('bridge fdb a').candidates).toEqual(['add', 'append']);
    expect(c('etcdctl lease t').replace).toBe('timetolive ');
    expect(c('systemctl rest').replace).toBe('restart ');
    expect(c('systemctl restart fl').replace).toBe('flanneld ');
    expect(c('systemctl status etcd fl').replace).toBe('flanneld ');
    expect(c('tcpdump x').candidates).toEqual([]);
  });

  it('completes a program from the spec it is registered with', () => {
    const registry = createDefaultRegistry().register('kubectl', async () => 0, 'k8s', {
      subcommands: { '': ['get', 'describe'], get: ['pods', 'nodes'] },
      abbreviations: { g: 'get' },
    });
    const shell = setup(registry);
    const at = (line: string) => shell.complete(line, line.length);
    expect(at('kubectl d').replace).toBe('describe ');
    expect(at('kubectl g p').replace).toBe('pods ');
    expect(at('ip ro').candidates).toEqual([]);
  });

  it('completes file paths, after pipes too', () => {
    expect(c('cat /run/fl').replace).toBe('/run/flannel/');
    expect(c('echo x | cat /run/flannel/s')).toMatchObject({ replace: '/run/flannel/subnet.env ' });
    expect(c('ls /nope/x').candidates).toEqual([]);
  });

  it('completes relative paths from the working directory', async () => {
    const shell = setup();
    await shell.run('cd /run', recordingIO());
    expect(shell.complete('cat fla', 7)).toMatchObject({ replace: 'flannel/' });
    expect(shell.complete('cat flannel/su', 14)).toMatchObject({ replace: 'flannel/subnet.env ' });
  });
});
