import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import { ROOT_NS } from '../kernel/types.ts';
import type { KvClient } from '../kv/types.ts';
import { startFlanneld } from './flanneld.ts';
import type { FlanneldProcess } from './flanneld.ts';
import { seededRandom } from '../lab/local-lab.ts';
import { addUplink, testKernel } from '../testing/kernel.ts';
import { getKey, keysUnder, testKv } from '../testing/kv.ts';
import { recording, type RecordedCall } from '../testing/proxies.ts';

const PREFIX = '/coreos.com/network';

/** The calls that changed the kernel, as [method, ...args]. */
const writes = (calls: RecordedCall[]) =>
  calls.filter((c) => /(Add|Del|Set)$/.test(c.method)).map((c) => [c.method, ...c.args]);

/** The one subnet lease in the KV. */
async function theLease(kv: KvClient) {
  const leases = await keysUnder(kv, `${PREFIX}/subnets/`);
  expect(leases).toHaveLength(1);
  return leases[0]!;
}

function lab(config: string) {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 10, 0));
  const { kv, outage } = testKv(clock);
  void kv.put({ key: `${PREFIX}/config`, value: config });
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const host = async (name: string, ip: string) => {
    const real = await testKernel(clock, { random: seededRandom(name.length), hostname: name });
    addUplink(real, 'eth0', `${ip}/24`, '172.16.112.2');
    // flanneld talks to the real kernel through a proxy that records the order of its calls.
    const { proxy: kernel, calls } = recording(real);
    const log: string[] = [];
    const stdout: string[] = [];
    const notified: { state: string; subnetEnv: boolean }[] = [];
    const fs = new MemoryFileSystem(clock);
    const start = (argv: string[] = ['flanneld']) =>
      startFlanneld(
        {
          kernel,
          kv,
          fs,
          clock,
          hostname: name,
          log: (l) => log.push(l),
          stdout: (l) => stdout.push(l),
          random,
          pid: 1234,
          notify: (state) =>
            notified.push({ state, subnetEnv: fs.exists('/run/flannel/subnet.env') }),
        },
        argv,
      );
    return { kernel, calls, log, stdout, notified, fs, start };
  };
  return { clock, kv, outage, host };
}

const VXLAN = '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}';

describe('flanneld startup (vxlan)', () => {
  it('tells systemd READY=1 once, after subnet.env is written', async () => {
    const { clock, host } = lab(VXLAN);
    const h = await host('node1', '172.16.112.133');
    h.start();
    expect(h.notified).toEqual([]);
    await clock.advance(10);
    expect(h.notified).toEqual([{ state: 'READY=1', subnetEnv: true }]);
    await clock.advance(60_000);
    expect(h.notified).toHaveLength(1);
  });

  it('never tells systemd it is ready while it has no network config', async () => {
    const { clock, host } = lab('{"Network":"10.244.0.0/16","Backend":{}}');
    const h = await host('node1', '172.16.112.133');
    const proc = h.start();
    expect(await proc.exited).toBe(1);
    await clock.advance(10);
    expect(h.notified).toEqual([]);
  });

  it('creates flannel.1, leases a subnet, writes subnet.env and logs like flannel', async () => {
    const { clock, kv, host } = lab(VXLAN);
    const h = await host('node1', '172.16.112.133');
    h.start();
    await clock.advance(10);
    const link = h.kernel.linkGet(ROOT_NS, 'flannel.1');
    expect(link.mtu).toBe(1450);
    expect(link.vxlan).toMatchObject({
      vni: 1,
      local: '172.16.112.133',
      dstport: 8472,
      learning: false,
    });
    expect(parseInt(link.address!.slice(0, 2), 16) & 3).toBe(2);
    const { key, value } = await theLease(kv);
    const subnet = key.split('/').at(-1)!.replace('-24', '');
    expect(JSON.parse(value)).toEqual({
      PublicIP: '172.16.112.133',
      PublicIPv6: null,
      BackendType: 'vxlan',
      BackendData: { VNI: 1, VtepMAC: link.address },
    });
    expect(h.kernel.addrDump(ROOT_NS).find((a) => a.label === 'flannel.1')).toMatchObject({
      local: subnet,
      prefixlen: 32,
    });
    const sub1 = subnet.replace(/\.0$/, '.1');
    expect(h.fs.readText('/run/flannel/subnet.env')).toBe(
      `FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=${sub1}/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n`,
    );
    const text = h.log.join('\n');
    expect(h.log[0]).toMatch(
      /^I1123 08:10:00\.000000 {4}1234 main\.go:\d+\] Created subnet manager: Etcd Local Manager with Previous Subnet: None$/,
    );
    for (const line of [
      'Determining IP address of default interface',
      'Using interface with name eth0 and address 172.16.112.133',
      'Defaulting external address to interface address (172.16.112.133)',
      'Found network config - Backend type: vxlan',
      'VXLAN config: VNI=1 Port=0 GBP=false Learning=false DirectRouting=false',
      'Wrote subnet file to /run/flannel/subnet.env',
      'Waiting for 23h0m0s to renew lease',
    ])
      expect(text).toContain(line);
  });

  it('programs a peer: neighbour, then FDB, then onlink route; removes all three on delete', async () => {
    const { clock, kv, host } = lab(VXLAN);
    const a = await host('node1', '172.16.112.133');
    const b = await host('node2', '172.16.112.130');
    a.start();
    await clock.advance(10);
    a.calls.length = 0;
    const pb = b.start();
    await clock.advance(10);
    const bLease = pb.lease()!;
    const bNet = `${(bLease.subnet.ip >>> 24) & 255}.${(bLease.subnet.ip >>> 16) & 255}.${(bLease.subnet.ip >>> 8) & 255}.0`;
    const mac = b.kernel.linkGet(ROOT_NS, 'flannel.1').address;
    const vtep = a.kernel.linkGet(ROOT_NS, 'flannel.1').ifindex;
    const replace = { replace: true };
    expect(writes(a.calls)).toEqual([
      ['neighAdd', ROOT_NS, { ifindex: vtep, dst: bNet, lladdr: mac, state: 'PERMANENT' }, replace],
      [
        'fdbAdd',
        ROOT_NS,
        { ifindex: vtep, mac, dst: '172.16.112.130', state: 'permanent' },
        replace,
      ],
      [
        'routeAdd',
        ROOT_NS,
        { dst: bNet, dstLen: 24, gateway: bNet, oif: vtep, onlink: true },
        replace,
      ],
    ]);
    expect(a.kernel.neighDump(ROOT_NS)).toContainEqual(
      expect.objectContaining({ dst: bNet, lladdr: mac, state: 'PERMANENT' }),
    );
    // b's snapshot programmed a as well
    expect(b.kernel.routeDump(ROOT_NS).filter((r) => r.onlink)).toHaveLength(1);

    a.calls.length = 0;
    await kv.deleteRange({ key: `${PREFIX}/subnets/${bNet}-24` });
    await clock.advance(10);
    expect(writes(a.calls).map((c) => c[0])).toEqual(['neighDel', 'fdbDel', 'routeDel']);
    expect(a.kernel.neighDump(ROOT_NS).some((n) => n.dst === bNet)).toBe(false);
    expect(a.kernel.fdbDump(ROOT_NS).some((f) => f.mac === mac)).toBe(false);
    expect(a.kernel.routeDump(ROOT_NS).some((r) => r.dst === bNet)).toBe(false);
    // b saw its own lease deleted and exits 0, leaving its state behind
    expect(b.log.at(-1)).toMatch(/Lease has been revoked. Shutting down daemon.$/);
    expect(await pb.exited).toBe(0);
    expect(b.kernel.linkGet(ROOT_NS, 'flannel.1')).toBeDefined();
  });

  it('ignores leases of another backend type', async () => {
    const { clock, kv, host } = lab(VXLAN);
    const a = await host('node1', '172.16.112.133');
    a.start();
    await clock.advance(10);
    a.calls.length = 0;
    await kv.put({
      key: `${PREFIX}/subnets/10.244.77.0-24`,
      value: '{"PublicIP":"172.16.112.9","PublicIPv6":null,"BackendType":"host-gw"}',
    });
    await clock.advance(10);
    expect(writes(a.calls)).toEqual([]);
    expect(a.log.at(-1)).toContain(
      'ignoring non-vxlan v4Subnet(10.244.77.0/24) v6Subnet(::/0): type=host-gw',
    );
  });

  it('renews at expiry minus the margin with a new etcd lease', async () => {
    const { clock, kv, outage, host } = lab(VXLAN);
    const a = await host('node1', '172.16.112.133');
    const p = a.start(['flanneld', '--subnet-lease-renew-margin=30']);
    await clock.advance(10);
    const { key, lease: firstLease } = await theLease(kv);
    expect(a.log.at(-1)).toContain('Waiting for 23h30m0s to renew lease');
    await clock.advance(23.5 * 3600_000 - 20);
    expect((await getKey(kv, key))!.lease).toBe(firstLease);
    await clock.advance(20);
    expect((await getKey(kv, key))!.lease).not.toBe(firstLease);
    expect(a.log.join('\n')).toContain(
      'Lease renewed, new expiration: 2026-11-25 07:40:00 +0000 UTC',
    );
    expect(a.log.at(-1)).toContain('Waiting for 23h30m0s to renew lease');
    // an etcd outage makes renewal retry every minute
    outage.down = true;
    await clock.advance(23.5 * 3600_000);
    expect(a.log.at(-1)).toContain(
      'Error renewing lease (trying again in 1 min): context deadline exceeded',
    );
    outage.down = false;
    await clock.advance(60_000);
    expect(a.log.at(-1)).toContain('Waiting for');
    p.stop();
    expect(await p.exited).toBe(0);
  });

  it('restarts onto the subnet in subnet.env', async () => {
    const { clock, kv, host } = lab(VXLAN);
    const a = await host('node1', '172.16.112.133');
    const p1 = a.start();
    await clock.advance(10);
    const first = a.fs.readText('/run/flannel/subnet.env');
    p1.stop();
    await kv.deleteRange({ key: `${PREFIX}/subnets/`, rangeEnd: `${PREFIX}/subnets0` });
    a.start();
    await clock.advance(10);
    expect(a.fs.readText('/run/flannel/subnet.env')).toBe(first);
    expect(a.log.join('\n')).toMatch(
      /Found previously leased subnet \(10\.244\.\d+\.0\/24\), reusing/,
    );
  });
});

describe('flanneld errors', () => {
  it('rejects a renew margin out of range with exit 1', async () => {
    const { clock, host } = lab(VXLAN);
    const p = (await host('node1', '172.16.112.133')).start([
      'flanneld',
      '--subnet-lease-renew-margin=1440',
    ]);
    await clock.advance(1);
    expect(await p.exited).toBe(1);
  });

  it('loops every second on a missing config, printing timed out', async () => {
    const { clock, kv, host } = lab(VXLAN);
    await kv.deleteRange({ key: `${PREFIX}/config` });
    const h = await host('node1', '172.16.112.133');
    const p = h.start();
    await clock.advance(2500);
    expect(
      h.log.filter((l) =>
        l.includes(
          "Couldn't fetch network config: flannel config not found in etcd store. Did you create your config using etcdv3 API?",
        ),
      ),
    ).toHaveLength(3);
    expect(h.stdout).toEqual(['timed out', 'timed out']);
    await kv.put({ key: `${PREFIX}/config`, value: VXLAN });
    await clock.advance(1000);
    expect(h.fs.exists('/run/flannel/subnet.env')).toBe(true);
    p.stop();
  });

  it('exits 1 on a Backend without Type and when out of subnets', async () => {
    const { clock, host } = lab('{"Network":"10.244.0.0/16","Backend":{}}');
    const h = await host('node1', '172.16.112.133');
    const p = h.start();
    await clock.advance(10);
    expect(await p.exited).toBe(1);
    expect(h.log.at(-1)).toMatch(/\] Error fetching backend: unknown backend type: $/);

    const small = lab('{"Network":"10.0.0.0/28","Backend":{"Type":"host-gw"}}');
    const procs: FlanneldProcess[] = [];
    const hosts = await Promise.all(
      ['172.16.112.11', '172.16.112.12', '172.16.112.13', '172.16.112.14'].map((ip, i) =>
        small.host(`n${i}`, ip),
      ),
    );
    for (const x of hosts) {
      procs.push(x.start());
      await small.clock.advance(10);
    }
    expect(await procs[3].exited).toBe(1);
    expect(hosts[3].log.at(-1)).toContain(
      'Error registering network: failed to acquire lease: out of subnets',
    );
  });
});

describe('flanneld host-gw', () => {
  it('routes peers via their PublicIP, refuses off-link gateways, recovers deleted routes', async () => {
    const { clock, kv, host } = lab('{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}');
    const a = await host('node1', '172.16.112.133');
    const b = await host('node2', '172.16.112.130');
    a.start();
    b.start();
    await clock.advance(10);
    const route = a.kernel.routeDump(ROOT_NS).find((r) => r.gateway === '172.16.112.130')!;
    expect(route).toMatchObject({ oif: a.kernel.linkGet(ROOT_NS, 'eth0').ifindex, onlink: false });
    expect(a.fs.readText('/run/flannel/subnet.env')).toContain('FLANNEL_MTU=1500');
    expect((await keysUnder(kv, `${PREFIX}/subnets/`))[0]!.value).toMatch(
      /"BackendType":"host-gw"}$/,
    );

    await kv.put({
      key: `${PREFIX}/subnets/10.244.200.0-24`,
      value: '{"PublicIP":"192.168.9.9","BackendType":"host-gw"}',
    });
    await clock.advance(10);
    expect(a.log.at(-1)).toContain('Error adding route to 10.244.200.0/24: network is unreachable');
    expect(a.kernel.routeDump(ROOT_NS).some((r) => r.dst === '10.244.200.0')).toBe(false);

    a.kernel.routeDel(ROOT_NS, { dst: route.dst, dstLen: 24 });
    await clock.advance(10_000);
    expect(a.kernel.routeDump(ROOT_NS).some((r) => r.gateway === '172.16.112.130')).toBe(true);
    expect(a.log.join('\n')).toContain(`Route recovered ${route.dst}/24 : 172.16.112.130`);
  });

  it('refuses a PublicIP that differs from the interface address', async () => {
    const { clock, host } = lab('{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}');
    const a = await host('node1', '172.16.112.133');
    const p = a.start(['flanneld', '--public-ip=1.2.3.4']);
    await clock.advance(10);
    expect(await p.exited).toBe(1);
    expect(a.log.at(-1)).toContain(
      "your PublicIP differs from interface IP, meaning that probably you're on a NAT",
    );
  });
});

describe('flanneld ip-masq', () => {
  it('installs the masquerade and forward rules and re-asserts them every 5 s', async () => {
    const { clock, host } = lab(VXLAN);
    const a = await host('node1', '172.16.112.133');
    const p = a.start(['flanneld', '--ip-masq']);
    await clock.advance(10);
    const sub = p.lease()!.subnet;
    const s = `10.244.${(sub.ip >>> 8) & 255}.0/24`;
    const nat = a.kernel.netfilter.list('nat');
    const rules = nat.find((c) => c.name === 'FLANNEL-POSTRTG')!.rules;
    expect(
      rules.map(
        (r) =>
          `${r.source?.invert ? '!' : ''}${r.source ? r.source.addr + '/' + r.source.prefixLen : '-'} ${r.destination?.invert ? '!' : ''}${r.destination ? r.destination.addr + '/' + r.destination.prefixLen : '-'} ${r.target}`,
      ),
    ).toEqual([
      '- - RETURN',
      `${s} 10.244.0.0/16 RETURN`,
      `10.244.0.0/16 ${s} RETURN`,
      `!10.244.0.0/16 ${s} RETURN`,
      '10.244.0.0/16 !224.0.0.0/4 MASQUERADE',
      '!10.244.0.0/16 10.244.0.0/16 MASQUERADE',
    ]);
    expect(
      a.kernel.netfilter.list('filter').find((c) => c.name === 'FLANNEL-FWD')!.rules,
    ).toHaveLength(2);
    a.kernel.netfilter.flush('nat', 'FLANNEL-POSTRTG');
    await clock.advance(5000);
    expect(
      a.kernel.netfilter.list('nat').find((c) => c.name === 'FLANNEL-POSTRTG')!.rules,
    ).toHaveLength(6);
    expect(
      a.kernel.netfilter.list('nat').find((c) => c.name === 'POSTROUTING')!.rules,
    ).toHaveLength(1);
  });
});
