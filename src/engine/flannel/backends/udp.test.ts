import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../os/clock.ts';
import { MemoryFileSystem } from '../../os/fs.ts';
import { ROOT_NS } from '../../kernel/types.ts';
import { startFlanneld } from '../flanneld.ts';
import { addUplink, testKernel } from '../../testing/kernel.ts';
import { getKey, testKv } from '../../testing/kv.ts';
import { recording } from '../../testing/proxies.ts';
import { internetChecksum } from '../../packet/checksum.ts';
import { decrementTtl } from './udp.ts';

/** An IPv4/ICMP echo request from `src` to `dst` with `ttl`. */
function ipPacket(src: number[], dst: number[], ttl: number, proto = 1): Uint8Array {
  const p = new Uint8Array(84);
  p.set([0x45, 0, 0, 84, 0, 1, 0x40, 0, ttl, proto, 0, 0, ...src, ...dst]);
  const sum = internetChecksum(p.subarray(0, 20));
  p[10] = sum >> 8;
  p[11] = sum & 255;
  p[20] = 8;
  return p;
}

describe('udp backend', () => {
  it('decrements TTL with a valid checksum and drops at 1', () => {
    const p = ipPacket([10, 244, 1, 2], [10, 244, 2, 3], 64);
    expect(decrementTtl(p)).toBe(true);
    expect(p[8]).toBe(63);
    expect(internetChecksum(p.subarray(0, 20))).toBe(0);
    expect(decrementTtl(ipPacket([1, 1, 1, 1], [2, 2, 2, 2], 1))).toBe(false);
  });

  it('runs flannel0 and the 8285 proxy; stopping flanneld removes the data plane', async () => {
    const clock = new ManualClock();
    const { kv } = testKv(clock);
    await kv.put({
      key: '/coreos.com/network/config',
      value: '{"Network":"10.244.0.0/16","Backend":{"Type":"udp"}}',
    });
    const real = await testKernel(clock);
    addUplink(real, 'eth0', '172.16.112.133/24', '172.16.112.2');
    // The proxy records flanneld's socket calls; the test plays the kernel's deliveries to the
    // handlers flanneld registered.
    const { proxy: kernel, calls } = recording(real);
    const called = (method: string) => calls.filter((c) => c.method === method).map((c) => c.args);
    const fs = new MemoryFileSystem(clock);
    const log: string[] = [];
    const p = startFlanneld(
      {
        kernel,
        kv,
        fs,
        clock,
        hostname: 'node1',
        log: (l) => log.push(l),
        random: () => 0,
        pid: 9,
      },
      ['flanneld', '--iface=eth0'],
    );
    await clock.advance(10);
    const tun = kernel.linkGet(ROOT_NS, 'flannel0');
    expect(tun.mtu).toBe(1472);
    expect(kernel.addrDump(ROOT_NS).find((a) => a.label === 'flannel0')).toMatchObject({
      local: '10.244.1.0',
      prefixlen: 32,
    });
    // configureIface adds the Network's route itself (RTPROT_BOOT, scope universe).
    expect(kernel.routeDump(ROOT_NS).find((r) => r.oif === tun.ifindex)).toMatchObject({
      dst: '10.244.0.0',
      dstLen: 16,
      protocol: 'boot',
      scope: 'global',
    });
    expect(called('udpBind')).toEqual([[expect.any(Number), '172.16.112.133', 8285]]);
    expect(fs.readText('/run/flannel/subnet.env')).toContain('FLANNEL_MTU=1472');
    expect((await getKey(kv, '/coreos.com/network/subnets/10.244.1.0-24'))!.value).toBe(
      '{"PublicIP":"172.16.112.133","PublicIPv6":null}',
    );

    await kv.put({
      key: '/coreos.com/network/subnets/10.244.2.0-24',
      value: '{"PublicIP":"172.16.112.130","PublicIPv6":null}',
    });
    await clock.advance(10);
    const tunOpen = calls.find((c) => c.method === 'tunOpen')!;
    const fromTun = tunOpen.args[2] as (packet: Uint8Array) => void;
    const tunFd = (tunOpen.result as { fd: number }).fd;
    fromTun(ipPacket([10, 244, 1, 2], [10, 244, 2, 3], 63));
    const sent = called('udpSend');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.slice(1, 3)).toEqual(['172.16.112.130', 8285]);
    expect((sent[0]![3] as Uint8Array)[8]).toBe(62);

    // unknown subnet: ICMP net unreachable from flannel0's address, for non-ICMP packets
    fromTun(ipPacket([10, 244, 1, 2], [10, 244, 9, 3], 63, 17));
    const written = () => called('tunWrite') as [number, Uint8Array][];
    const icmp = written().at(-1)![1];
    expect([...icmp.subarray(12, 16)]).toEqual([10, 244, 1, 0]);
    expect([...icmp.subarray(16, 20)]).toEqual([10, 244, 1, 2]);
    expect([icmp[20], icmp[21]]).toEqual([3, 0]);
    expect(internetChecksum(icmp.subarray(20))).toBe(0);
    fromTun(ipPacket([10, 244, 1, 2], [10, 244, 9, 3], 63, 1));
    expect(written()).toHaveLength(1);

    // from a peer: TTL decremented again, written into flannel0
    const fromPeer = called('udpOpen')[0]![1] as (datagram: Uint8Array) => void;
    fromPeer(ipPacket([10, 244, 2, 3], [10, 244, 1, 2], 62));
    expect(written().at(-1)![1][8]).toBe(61);
    expect(written().at(-1)![0]).toBe(tunFd);

    p.stop();
    expect(await p.exited).toBe(0);
    expect(() => kernel.linkGet(ROOT_NS, 'flannel0')).toThrow();
    expect(kernel.routeDump(ROOT_NS).some((r) => r.dst === '10.244.0.0')).toBe(false);
  });
});
