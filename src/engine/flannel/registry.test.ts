import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { parseNetworkConfig } from './config.ts';
import { formatIp4Net, parseIp4Net } from './ip4.ts';
import { Klog } from './klog.ts';
import { acquireLease, allocateSubnet, SubnetRegistry } from './registry.ts';
import type { Lease } from './lease.ts';
import { getKey, testKv } from '../testing/kv.ts';

const PREFIX = '/coreos.com/network';

function setup(config = '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}') {
  const clock = new ManualClock();
  const { kv } = testKv(clock);
  const lines: string[] = [];
  const log = new Klog(
    (l) => lines.push(l),
    () => clock.now(),
    42,
  );
  const registry = new SubnetRegistry(kv, PREFIX, clock, log);
  return { clock, kv, lines, log, registry, config: parseNetworkConfig(config) };
}

const leaseOf = (cidr: string, ip = '1.1.1.1'): Lease => ({
  subnet: parseIp4Net(cidr)!,
  attrs: { publicIP: ip },
  expiration: 1,
});

describe('subnet allocation', () => {
  it('picks uniformly among the first 100 free subnets from SubnetMin', () => {
    const { config, log } = setup();
    const taken = [leaseOf('10.244.1.0/24'), leaseOf('10.244.3.0/24')];
    expect(formatIp4Net(allocateSubnet(config, taken, () => 0, log))).toBe('10.244.2.0/24');
    // candidate 100 is 10.244.102.0 (1 and 3 are taken): the walk stops there.
    expect(formatIp4Net(allocateSubnet(config, taken, () => 0.9999, log))).toBe('10.244.102.0/24');
  });

  it('gives 255 leases for /16 with /24 and 31 for /21, then out of subnets', () => {
    for (const [text, count] of [
      ['{"Network":"10.244.0.0/16"}', 255],
      ['{"Network":"10.244.0.0/16","SubnetLen":21}', 31],
    ] as const) {
      const { log } = setup();
      const config = parseNetworkConfig(text);
      const leases: Lease[] = [];
      for (let i = 0; i < count; i++)
        leases.push({
          subnet: allocateSubnet(config, leases, () => 0.5, log),
          attrs: { publicIP: 'x' },
          expiration: 1,
        });
      expect(new Set(leases.map((l) => formatIp4Net(l.subnet))).size).toBe(count);
      expect(() => allocateSubnet(config, leases, () => 0.5, log)).toThrow('out of subnets');
    }
  });
});

describe('lease acquisition order', () => {
  const attrs = {
    publicIP: '172.16.112.133',
    backendType: 'vxlan',
    backendData: { VNI: 1, VtepMAC: '02:00:00:00:00:01' },
  };

  it('reuses the lease holding our PublicIP, with a fresh 24 h etcd lease', async () => {
    const { kv, registry, config, log, lines } = setup();
    const first = await kv.leaseGrant(86400);
    await kv.put({
      key: `${PREFIX}/subnets/10.244.7.0-24`,
      value: '{"PublicIP":"172.16.112.133","PublicIPv6":null}',
      lease: first.id,
    });
    const lease = await acquireLease(
      registry,
      config,
      attrs,
      parseIp4Net('10.244.9.0/24'),
      () => 0,
      log,
    );
    expect(formatIp4Net(lease.subnet)).toBe('10.244.7.0/24');
    expect(lines.at(-1)).toMatch(
      /local_manager.go:\d+\] Found lease \(ip: 10.244.7.0\/24 ipv6: ::\/0\) for current IP \(172.16.112.133\), reusing$/,
    );
    const stored = (await getKey(kv, `${PREFIX}/subnets/10.244.7.0-24`))!;
    expect(stored.lease).not.toBe(first.id);
    expect(stored.value).toContain('"BackendType":"vxlan"');
  });

  it('deletes an incompatible lease for our IP, then reuses the previous subnet if free', async () => {
    const { kv, registry, config, log, lines } = setup();
    await kv.put({
      key: `${PREFIX}/subnets/10.244.0.0-24`,
      value: '{"PublicIP":"172.16.112.133"}',
    });
    const lease = await acquireLease(
      registry,
      config,
      attrs,
      parseIp4Net('10.244.9.0/24'),
      () => 0,
      log,
    );
    expect(formatIp4Net(lease.subnet)).toBe('10.244.9.0/24');
    expect(await getKey(kv, `${PREFIX}/subnets/10.244.0.0-24`)).toBeUndefined();
    expect(lines.join('\n')).toContain(
      'Found lease (10.244.0.0/24) for current IP (172.16.112.133) but not compatible with current config, deleting',
    );
    expect(lines.join('\n')).toContain('Found previously leased subnet (10.244.9.0/24), reusing');
  });

  it('skips a previous subnet that another node now holds and allocates', async () => {
    const { kv, registry, config, log, lines } = setup();
    await kv.put({
      key: `${PREFIX}/subnets/10.244.9.0-24`,
      value: '{"PublicIP":"172.16.112.130"}',
    });
    const lease = await acquireLease(
      registry,
      config,
      attrs,
      parseIp4Net('10.244.9.0/24'),
      () => 0,
      log,
    );
    expect(formatIp4Net(lease.subnet)).toBe('10.244.1.0/24');
    expect(lines.join('\n')).not.toContain('previously leased');
    expect(lines.join('\n')).toContain('Picking subnet in range 10.244.1.0 ... 10.244.255.0');
    expect(lines.at(-1)).toContain(
      'Allocated lease (ip: 10.244.1.0/24 ipv6: ::/0) to current node (172.16.112.133)',
    );
    const ttl = await kv.leaseTimeToLive(
      (await getKey(kv, `${PREFIX}/subnets/10.244.1.0-24`))!.lease,
    );
    expect(ttl.grantedTtl).toBe(86400);
  });

  it("ignores an incompatible previous subnet with flannel's message", async () => {
    const { registry, config, log, lines } = setup();
    await acquireLease(registry, config, attrs, parseIp4Net('10.9.9.0/24'), () => 0, log);
    expect(lines.join('\n')).toContain(
      'Found previously leased subnet (10.9.9.0/24) that is not compatible with the Etcd network config, ignoring',
    );
  });

  it('loses a race on Version(key)=0, revoking its grant', async () => {
    const { kv, registry, config, log } = setup();
    // Another node claims 10.244.1.0 between our listing and our txn.
    const realTxn = kv.txn.bind(kv);
    kv.txn = async (req) => {
      await kv.put({
        key: `${PREFIX}/subnets/10.244.1.0-24`,
        value: '{"PublicIP":"172.16.112.130"}',
      });
      return realTxn(req);
    };
    await expect(acquireLease(registry, config, attrs, undefined, () => 0, log)).rejects.toThrow(
      'subnet already exists',
    );
    expect((await kv.leaseList()).leases).toEqual([]);
  });
});
