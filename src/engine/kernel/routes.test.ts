import { describe, expect, it } from 'vitest';
import { ROOT_NS } from './types.ts';
import { newKernel } from './testing/util.ts';

async function host() {
  const k = await newKernel();
  const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
  k.addrAdd(ROOT_NS, { ifindex: eth0, local: '172.16.112.133', prefixlen: 24 });
  k.linkSet(ROOT_NS, eth0, { up: true });
  const fl = k.linkAdd(ROOT_NS, { name: 'flannel.1', kind: 'vxlan', vxlan: { vni: 1, dev: eth0 } });
  k.addrAdd(ROOT_NS, { ifindex: fl, local: '10.244.1.0', prefixlen: 32 });
  k.linkSet(ROOT_NS, fl, { up: true });
  return { k, eth0, fl };
}

const errno = (n: number, extack?: string) =>
  expect.objectContaining(extack ? { errno: n, extack } : { errno: n });

describe('routes', () => {
  it('gives the errors the golden shows', async () => {
    const { k, fl } = await host();
    k.routeAdd(ROOT_NS, {
      dst: '10.244.2.0',
      dstLen: 24,
      gateway: '10.244.2.0',
      oif: fl,
      onlink: true,
    });
    expect(() =>
      k.routeAdd(ROOT_NS, {
        dst: '10.244.2.0',
        dstLen: 24,
        gateway: '10.244.2.0',
        oif: fl,
        onlink: true,
      }),
    ).toThrow(errno(17));
    expect(() =>
      k.routeAdd(ROOT_NS, { dst: '10.244.3.0', dstLen: 24, gateway: '10.244.3.0', oif: fl }),
    ).toThrow(errno(101, 'Nexthop has invalid gateway'));
    expect(() => k.routeDel(ROOT_NS, { dst: '10.244.9.0', dstLen: 24 })).toThrow(errno(3));
    expect(() => k.routeGet(ROOT_NS, '8.8.8.8')).toThrow(errno(101));
    expect(() => k.routeAdd(ROOT_NS, { dst: '10.1.2.3', dstLen: 8, oif: fl })).toThrow(
      errno(22, 'Invalid prefix for given prefix length'),
    );
  });

  it('picks the longest prefix, then the lowest metric; replace and delete work', async () => {
    const { k, eth0 } = await host();
    k.routeAdd(ROOT_NS, { dst: '0.0.0.0', dstLen: 0, gateway: '172.16.112.1' });
    k.routeAdd(ROOT_NS, { dst: '10.0.0.0', dstLen: 8, gateway: '172.16.112.2' });
    k.routeAdd(ROOT_NS, { dst: '10.0.0.0', dstLen: 16, gateway: '172.16.112.3', metric: 20 });
    k.routeAdd(ROOT_NS, { dst: '10.0.0.0', dstLen: 16, gateway: '172.16.112.4', metric: 10 });
    expect(k.routeGet(ROOT_NS, '10.0.5.5').gateway).toBe('172.16.112.4');
    expect(k.routeGet(ROOT_NS, '10.1.5.5').gateway).toBe('172.16.112.2');
    expect(k.routeGet(ROOT_NS, '8.8.8.8')).toEqual({
      type: 'unicast',
      dst: '8.8.8.8',
      gateway: '172.16.112.1',
      oif: eth0,
      prefsrc: '172.16.112.133',
    });
    k.routeAdd(ROOT_NS, { dst: '10.0.0.0', dstLen: 8, gateway: '172.16.112.9' }, { replace: true });
    expect(k.routeGet(ROOT_NS, '10.1.5.5').gateway).toBe('172.16.112.9');
    k.routeDel(ROOT_NS, { dst: '10.0.0.0', dstLen: 16, metric: 10 });
    expect(k.routeGet(ROOT_NS, '10.0.5.5').gateway).toBe('172.16.112.3');
    // Dump order: by destination, longer prefixes first for the same destination (as Linux).
    expect(k.routeDump(ROOT_NS).map((r) => `${r.dst}/${r.dstLen}`)).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/16',
      '10.0.0.0/8',
      '172.16.112.0/24',
    ]);
    expect(k.routeGet(ROOT_NS, '172.16.112.133')).toMatchObject({ type: 'local', oif: 1 });
  });

  it('handles unreachable/blackhole/prohibit types and link down/up like Linux', async () => {
    const { k, eth0 } = await host();
    k.routeAdd(ROOT_NS, { dst: '192.168.0.0', dstLen: 16, type: 'unreachable' });
    k.routeAdd(ROOT_NS, { dst: '192.169.0.0', dstLen: 16, type: 'blackhole' });
    expect(() => k.routeGet(ROOT_NS, '192.168.1.1')).toThrow(errno(113));
    expect(() => k.routeGet(ROOT_NS, '192.169.1.1')).toThrow(errno(22));
    k.routeAdd(ROOT_NS, { dst: '10.9.0.0', dstLen: 16, gateway: '172.16.112.7' });
    k.linkSet(ROOT_NS, eth0, { up: false });
    // Down: the prefix, broadcast and static routes go; the local route stays.
    expect(k.routeDump(ROOT_NS, 'all').map((r) => `${r.type} ${r.dst}/${r.dstLen}`)).not.toContain(
      'unicast 10.9.0.0/16',
    );
    expect(k.routeDump(ROOT_NS, 'local').map((r) => r.dst)).toContain('172.16.112.133');
    k.linkSet(ROOT_NS, eth0, { up: true });
    expect(k.routeDump(ROOT_NS).map((r) => `${r.dst}/${r.dstLen}`)).toContain('172.16.112.0/24');
    expect(() =>
      k.routeAdd(ROOT_NS, { dst: '10.8.0.0', dstLen: 16, gateway: '172.16.112.133' }),
    ).toThrow(errno(22, 'Nexthop has invalid gateway'));
  });

  it('address removal takes its routes with it', async () => {
    const { k, eth0 } = await host();
    k.addrDel(ROOT_NS, { ifindex: eth0, local: '172.16.112.133', prefixlen: 24 });
    expect(k.routeDump(ROOT_NS, 'all').filter((r) => r.oif === eth0)).toEqual([]);
    expect(() =>
      k.addrDel(ROOT_NS, { ifindex: eth0, local: '172.16.112.133', prefixlen: 24 }),
    ).toThrow(errno(99));
  });

  it('scales: a thousand /32 routes still look up by prefix', async () => {
    const { k, fl } = await host();
    for (let i = 0; i < 1000; i++) {
      k.routeAdd(ROOT_NS, {
        dst: `10.${100 + (i >> 8)}.${i & 255}.7`,
        dstLen: 32,
        gateway: '10.244.2.0',
        oif: fl,
        onlink: true,
      });
    }
    expect(k.routeGet(ROOT_NS, '10.103.231.7').gateway).toBe('10.244.2.0');
    expect(() => k.routeGet(ROOT_NS, '10.103.231.8')).toThrow(errno(101));
  });
});

describe('memory', () => {
  it('collects configuration garbage and keeps working (minimal runtime + __collect)', async () => {
    const { k, fl } = await host();
    for (let i = 0; i < 3000; i++) {
      k.routeAdd(ROOT_NS, {
        dst: '10.50.0.0',
        dstLen: 16,
        gateway: '10.244.2.0',
        oif: fl,
        onlink: true,
      });
      k.linkDump(ROOT_NS);
      k.routeDel(ROOT_NS, { dst: '10.50.0.0', dstLen: 16 });
    }
    expect(k.routeDump(ROOT_NS).map((r) => `${r.dst}/${r.dstLen}`)).toEqual(['172.16.112.0/24']);
    expect(k.linkGet(ROOT_NS, 'flannel.1').mtu).toBe(1450);
  });
});
