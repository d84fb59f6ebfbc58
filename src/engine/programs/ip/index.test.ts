// The `ip` entry point: global options, object abbreviations, namespaces, and failures.

import { describe, expect, it } from 'vitest';
import { Errno, NetlinkError } from '../../kernel/types.ts';
import { failing } from '../../testing/proxies.ts';
import { errorsLab, host2, replay } from './testing/golden-host.ts';
import { run } from './testing/run.ts';

describe('ip objects and their abbreviations', () => {
  it.each([
    ['ip a', 'ip address show'],
    ['ip addr sh', 'ip address show'],
    ['ip l', 'ip link show'],
    ['ip li sh', 'ip link lst'],
    ['ip n', 'ip neighbour list'],
    ['ip neighbor', 'ip neigh show'],
    ['ip r', 'ip route list'],
    ['ip ro lst', 'ip route show'],
    ['ip --json r', 'ip -j route'],
    ['ip -4 a', 'ip -family inet addr'],
  ])('%s is %s', async (short, long) => {
    const k = await host2('vxlan');
    const a = await run(k, short);
    const b = await run(k, long);
    expect(a.code).toBe(0);
    expect(a.stdout).not.toBe('');
    expect(a.stdout).toBe(b.stdout);
  });

  it('answers objects it does not model as unknown', async () => {
    const result = await run(await errorsLab(), 'ip rule');
    expect(result.stderr).toBe('Object "rule" is unknown, try "ip help".\n');
    expect(result.code).toBe(1);
  });

  it('prints the version', async () => {
    const result = await run(await replay([]), 'ip -V');
    expect(result.stdout).toBe('ip utility, iproute2-6.1.0, libbpf 1.1.0\n');
    expect(result.code).toBe(0);
  });

  it('rejects unknown options like ip.c', async () => {
    const result = await run(await replay([]), 'ip -q link');
    expect(result.stderr).toBe('Option "-q" is unknown, try "ip -help".\n');
    expect(result.code).toBe(255);
  });

  it('prints the usage for ip alone, exit 255', async () => {
    const result = await run(await replay([]), 'ip');
    expect(result.stderr).toMatch(/^Usage: ip \[ OPTIONS \] OBJECT \{ COMMAND \| help \}\n/);
    expect(result.code).toBe(255);
  });
});

describe('namespaces', () => {
  it('-n runs in a named namespace; a pod sees the root end of its veth as link-netnsid 0', async () => {
    const result = await run(await host2('vxlan'), 'ip -n flp2 link show eth0');
    expect(result.stdout).toBe(
      '2: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n',
    );
  });

  it('ip netns exec runs the command in the namespace', async () => {
    const result = await run(await host2('vxlan'), 'ip netns exec flp2 ip -br link show eth0');
    expect(result.stdout).toBe(
      'eth0@if4         UP             02:00:00:00:00:02 <BROADCAST,MULTICAST,UP,LOWER_UP> \n',
    );
  });
});

describe('kernel failures', () => {
  it('prints RTNETLINK answers for an errno and Error: for an extack, exit 2', async () => {
    const k = await errorsLab();
    const plain = await run(
      failing(k, ['linkDump'], () => new NetlinkError(Errno.ENOBUFS)),
      'ip link show',
    );
    expect(plain.stderr).toBe('RTNETLINK answers: No buffer space available\n');
    expect(plain.code).toBe(2);
    const ack = await run(
      failing(k, ['linkDump'], () => new NetlinkError(Errno.EINVAL, 'Something went wrong')),
      'ip link show',
    );
    expect(ack.stderr).toBe('Error: Something went wrong.\n');
    expect(ack.code).toBe(2);
  });
});

describe('writes reach the kernel', () => {
  it('creates a veth pair into a pod namespace, enslaves it and brings it up', async () => {
    const k = await host2('vxlan');
    expect((await run(k, 'ip netns add pod3')).code).toBe(0);
    expect((await run(k, 'ip link add veth3 type veth peer name eth0 netns pod3')).code).toBe(0);
    expect((await run(k, 'ip link set veth3 master cni0')).code).toBe(0);
    expect((await run(k, 'ip link set veth3 up')).code).toBe(0);
    const link = k.linkGet('', 'veth3');
    expect(link.master).toBe(3);
    expect(link.peer?.netns).toBe('pod3');
    expect((await run(k, 'ip -n pod3 addr add 10.244.1.3/24 dev eth0')).code).toBe(0);
    expect((await run(k, 'ip -n pod3 link set eth0 up')).code).toBe(0);
    expect(k.addrDump('pod3')).toContainEqual(
      expect.objectContaining({ local: '10.244.1.3', prefixlen: 24, label: 'eth0' }),
    );
    const shown = await run(k, 'ip -br link show veth3');
    expect(shown.stdout).toMatch(
      /^veth3@if2 +UP +[0-9a-f:]{17} <BROADCAST,MULTICAST,UP,LOWER_UP> \n$/,
    );
  });

  it('link add creates only the kinds ip link add knows: not tun, lo, a NIC, nor a prototype key', async () => {
    const k = await errorsLab();
    const before = k.linkDump('').length;
    for (const type of ['tun', 'loopback', 'ether', 'toString', 'constructor']) {
      const add = await run(k, `ip link add x0 type ${type}`);
      expect([type, add.code, add.stderr]).toEqual([type, 2, 'Error: Unknown device type.\n']);
    }
    expect(k.linkDump('')).toHaveLength(before);
    expect((await run(k, 'ip link add x0 type bridge')).code).toBe(0);
    expect(k.linkGet('', 'x0').kind).toBe('bridge');
  });

  it('adds a vxlan device as flanneld does and prints it with -d', async () => {
    const k = await errorsLab();
    await run(k, 'ip link del flannel.1');
    const add = await run(
      k,
      'ip link add flannel.1 type vxlan id 1 local 172.16.112.133 dev eth0 dstport 8472 nolearning',
    );
    expect(add.output).toBe('');
    const info = k.linkGet('', 'flannel.1');
    expect(info.vxlan).toEqual(
      expect.objectContaining({
        vni: 1,
        local: '172.16.112.133',
        dev: 2,
        dstport: 8472,
        learning: false,
      }),
    );
  });

  it('route replace overwrites, route add of the same prefix fails', async () => {
    const k = await errorsLab();
    expect(
      (await run(k, 'ip route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink metric 0'))
        .code,
    ).toBe(0);
    const again = await run(k, 'ip route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    expect(again.stderr).toBe('RTNETLINK answers: File exists\n');
  });
});
