// flanneld and the CNI plugin against the real KV server and the real wasm kernel: two hosts
// on a wire, vxlan, checked through the kernel's own dumps.

import { describe, expect, it } from 'vitest';
import { cniAdd, installConflist } from '../cni/cni.ts';
import { ROOT_NS } from '../kernel/types.ts';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import { addUplink, testKernel } from '../testing/kernel.ts';
import { testKv } from '../testing/kv.ts';
import { startFlanneld } from './flanneld.ts';

describe('flanneld on the real kernel and KV', () => {
  it('leases, programs vxlan peers and sets up a pod', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 10, 0));
    const { kv } = testKv(clock);
    await kv.put({
      key: '/coreos.com/network/config',
      value: '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}',
    });
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const hosts = [];
    for (const [name, ip] of [
      ['node1', '172.16.112.133'],
      ['node2', '172.16.112.130'],
    ]) {
      const kernel = await testKernel(clock, { random, hostname: name });
      addUplink(kernel, 'eth0', `${ip}/24`);
      const fs = new MemoryFileSystem(clock);
      const log: string[] = [];
      const proc = startFlanneld(
        { kernel, kv, fs, clock, hostname: name, log: (l) => log.push(l), random },
        ['flanneld', '--iface=eth0'],
      );
      hosts.push({ kernel, fs, log, proc });
      await clock.advance(10);
    }
    const [a, b] = hosts;
    expect(a.log.join('\n')).toContain('Wrote subnet file to /run/flannel/subnet.env');
    const bLease = b.proc.lease()!.subnet;
    const bNet = `10.244.${(bLease.ip >>> 8) & 255}.0`;
    const bMac = b.kernel.linkGet(ROOT_NS, 'flannel.1').address;
    const flannel1 = a.kernel.linkGet(ROOT_NS, 'flannel.1');
    expect(flannel1.mtu).toBe(1450);
    expect(a.kernel.neighDump(ROOT_NS)).toContainEqual(
      expect.objectContaining({ dst: bNet, lladdr: bMac, state: 'PERMANENT' }),
    );
    expect(a.kernel.fdbDump(ROOT_NS)).toContainEqual(
      expect.objectContaining({ mac: bMac, dst: '172.16.112.130' }),
    );
    expect(a.kernel.routeDump(ROOT_NS, 'main')).toContainEqual(
      expect.objectContaining({
        dst: bNet,
        dstLen: 24,
        gateway: bNet,
        oif: flannel1.ifindex,
        onlink: true,
      }),
    );

    installConflist(a.fs);
    a.kernel.netnsAdd('pod1');
    const pod = cniAdd(
      { kernel: a.kernel, fs: a.fs, random },
      { containerId: 'c1', netns: 'pod1' },
    );
    expect(pod.ip).toMatch(/^10\.244\.\d+\.2$/);
    expect(a.kernel.linkGet(ROOT_NS, 'cni0').mtu).toBe(1450);
    expect(
      a.kernel.routeDump('pod1', 'main').some((r) => r.dstLen === 0 && r.gateway === pod.gateway),
    ).toBe(true);
  });
});
