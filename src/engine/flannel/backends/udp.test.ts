import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lab/clock.ts';
import { MemoryFileSystem } from '../../lab/fs.ts';
import { ROOT_NS } from '../../kernel/types.ts';
import { startFlanneld } from '../flanneld.ts';
import { FakeKernel } from '../testing/fake-kernel.ts';
import { FakeKv } from '../testing/fake-kv.ts';
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
    const kv = new FakeKv(clock);
    await kv.put({
      key: '/coreos.com/network/config',
      value: '{"Network":"10.244.0.0/16","Backend":{"Type":"udp"}}',
    });
    const kernel = new FakeKernel();
    kernel.addUplink('eth0', '172.16.112.133', 24, '172.16.112.2');
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
    expect(kernel.calls).toContain('udpBind 172.16.112.133:8285');
    expect(fs.readText('/run/flannel/subnet.env')).toContain('FLANNEL_MTU=1472');
    expect(kv.store.get('/coreos.com/network/subnets/10.244.1.0-24')!.value).toBe(
      '{"PublicIP":"172.16.112.133","PublicIPv6":null}',
    );

    await kv.put({
      key: '/coreos.com/network/subnets/10.244.2.0-24',
      value: '{"PublicIP":"172.16.112.130","PublicIPv6":null}',
    });
    await clock.advance(10);
    const [tunFd, tunEntry] = [...kernel.tuns.entries()][0];
    tunEntry.handler(ipPacket([10, 244, 1, 2], [10, 244, 2, 3], 63), { time: 0 });
    expect(kernel.udpSent).toHaveLength(1);
    expect(kernel.udpSent[0]).toMatchObject({ dst: '172.16.112.130', port: 8285 });
    expect(kernel.udpSent[0].payload[8]).toBe(62);

    // unknown subnet: ICMP net unreachable from flannel0's address, for non-ICMP packets
    tunEntry.handler(ipPacket([10, 244, 1, 2], [10, 244, 9, 3], 63, 17), { time: 0 });
    const icmp = kernel.tunWritten.at(-1)!.packet;
    expect([...icmp.subarray(12, 16)]).toEqual([10, 244, 1, 0]);
    expect([...icmp.subarray(16, 20)]).toEqual([10, 244, 1, 2]);
    expect([icmp[20], icmp[21]]).toEqual([3, 0]);
    expect(internetChecksum(icmp.subarray(20))).toBe(0);
    tunEntry.handler(ipPacket([10, 244, 1, 2], [10, 244, 9, 3], 63, 1), { time: 0 });
    expect(kernel.tunWritten).toHaveLength(1);

    // from a peer: TTL decremented again, written into flannel0
    const sock = [...kernel.udpSockets.values()][0];
    sock.handler(ipPacket([10, 244, 2, 3], [10, 244, 1, 2], 62), {
      srcAddr: '172.16.112.130',
      srcPort: 8285,
      time: 0,
    });
    expect(kernel.tunWritten.at(-1)!.packet[8]).toBe(61);
    expect(kernel.tunWritten.at(-1)!.fd).toBe(tunFd);

    p.stop();
    expect(await p.exited).toBe(0);
    expect(() => kernel.linkGet(ROOT_NS, 'flannel0')).toThrow();
    expect(kernel.routeDump(ROOT_NS).some((r) => r.dst === '10.244.0.0')).toBe(false);
  });
});
