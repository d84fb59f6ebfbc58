// The lease watch on the real KV: responses are turned into events in etcd's order, one after
// another, as flannel's watchSubnets goroutine does.
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../kv/client.ts';
import { KvServer } from '../kv/server.ts';
import { KvError } from '../kv/types.ts';
import type { KvClient } from '../kv/types.ts';
import { ManualClock, settle } from '../os/clock.ts';
import { formatIp4Net } from './ip4.ts';
import { Klog } from './klog.ts';
import { SubnetRegistry } from './registry.ts';
import type { LeaseEvent } from './registry.ts';

const PREFIX = '/coreos.com/network';
const key = (n: number) => `${PREFIX}/subnets/10.244.${n}.0-24`;
const value = (ip: string) => JSON.stringify({ PublicIP: ip, PublicIPv6: null });

function setup(wrap: (kv: KvClient) => KvClient = (kv) => kv) {
  const clock = new ManualClock();
  const kv = wrap(createKvClient(new KvServer({ clock })));
  const lines: string[] = [];
  const sink = (line: string) => void lines.push(line);
  const registry = new SubnetRegistry(kv, PREFIX, clock, new Klog(sink, () => clock.now(), 42));
  const seen: string[] = [];
  const record = (events: LeaseEvent[]) => {
    for (const e of events)
      seen.push(`${e.type} ${formatIp4Net(e.lease.subnet)} ${e.lease.attrs.publicIP}`);
  };
  registry.watch(registry.subnetsPrefix, true, 1, record, () => seen.push('canceled'));
  return { kv, lines, seen };
}

describe('the lease watch', () => {
  it('delivers a DELETE after the PUT before it, though the PUT waits for its TTL', async () => {
    const { kv, seen } = setup();
    const grant = await kv.leaseGrant(60);
    await Promise.all([
      kv.put({ key: key(1), value: value('172.16.112.11'), lease: grant.id }),
      kv.deleteRange({ key: key(1) }),
      kv.put({ key: key(2), value: value('172.16.112.12') }),
    ]);
    await settle();
    expect(seen).toEqual([
      'added 10.244.1.0/24 172.16.112.11',
      // The removed lease carries the deleted value's attrs.
      'removed 10.244.1.0/24 172.16.112.11',
      'added 10.244.2.0/24 172.16.112.12',
    ]);
  });

  it('drops a PUT whose TTL lookup fails, logs it, and goes on with the next', async () => {
    let fail = true;
    const { kv, seen, lines } = setup((kv) => ({
      ...kv,
      leaseTimeToLive: (id, keys) => {
        if (!fail) return kv.leaseTimeToLive(id, keys);
        fail = false;
        return Promise.reject(new KvError('Unavailable', 'etcdserver: request timed out'));
      },
    }));
    const grant = await kv.leaseGrant(60);
    await kv.put({ key: key(1), value: value('172.16.112.11'), lease: grant.id });
    await kv.put({ key: key(2), value: value('172.16.112.12'), lease: grant.id });
    await settle();
    expect(seen).toEqual(['added 10.244.2.0/24 172.16.112.12']);
    expect(lines.join('\n')).toContain(
      'registry.go:391] error parsing etcd event: etcdserver: request timed out',
    );
  });
});
