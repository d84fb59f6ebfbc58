// Booting many nodes at once through bootNode: the join lock (an etcd mutex under
// /playground/join-lock/) makes them lease subnets one at a time, so no flanneld loses a
// lease race and none is restarted, and bootNode waits on flanneld's READY=1.
import { describe, expect, it } from 'vitest';
import { prefixEnd } from '../../src/engine/kv/key-range.ts';
import { lockMutex } from '../../src/engine/kv/mutex.ts';
import {
  bootNode,
  FLANNELD_UNIT,
  JOIN_LOCK_PREFIX,
  JOIN_LOCK_WAIT_MS,
} from '../../src/engine/lab/node-setup.ts';
import { hostIp, hostName, leaseNet, makeFlannelLab } from './flannel-lab.ts';

const SUBNETS = '/coreos.com/network/subnets/';

describe('bootNode at scale', () => {
  it('boots 64 nodes at once: distinct subnets, no lost lease race, no flanneld restart', async () => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' }, 11);
    const hosts = [];
    for (let i = 1; i <= 64; i++) hosts.push(await fl.lab.addHost({ hostname: hostName(i) }));
    const labStart = fl.clock.now();
    const wallStart = performance.now();
    await fl.lab.drive(
      Promise.all(hosts.map((h, k) => bootNode(h, { eth0: `${hostIp(k + 1)}/24`, pods: 1 }))),
    );
    const labMs = fl.clock.now() - labStart;
    const wallMs = performance.now() - wallStart;
    console.info(`64 nodes booted in ${labMs} ms lab time, ${Math.round(wallMs)} ms wall time`);

    const leases = (await fl.kv.range({ key: SUBNETS, rangeEnd: prefixEnd(SUBNETS) })).kvs;
    expect(leases).toHaveLength(64);
    expect(new Set(hosts.map(leaseNet)).size).toBe(64);
    for (const h of hosts) {
      const messages = h.journal.entries.map((e) => e.message);
      expect(messages.filter((m) => m.includes('subnet already exists'))).toEqual([]);
      expect(messages.filter((m) => m.startsWith('Starting flanneld.service'))).toHaveLength(1);
      expect(h.services.status(FLANNELD_UNIT)?.state).toBe('active');
      expect(h.kernel.netnsList()).toContain('pod1');
    }
    // Every node let go of the lock: no key, no session lease left.
    const lock = await fl.kv.range({
      key: JOIN_LOCK_PREFIX,
      rangeEnd: prefixEnd(JOIN_LOCK_PREFIX),
    });
    expect(lock.kvs).toEqual([]);
    // One flannel lease per node, and nothing else: the session leases were revoked.
    expect((await fl.kv.leaseList()).leases).toHaveLength(64);
    expect(labMs).toBeLessThan(5_000); // without the lock: ~10 s (5 s RestartSec per lost race)
  }, 60_000);

  it('boots without the lock when a wedged holder keeps it past the bound', async () => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' });
    // Someone holds the lock and keeps renewing it (never unlocks).
    const wedged = await fl.lab.drive(lockMutex(fl.kv, JOIN_LOCK_PREFIX, { clock: fl.clock }));
    const host = await fl.lab.addHost({ hostname: hostName(1) });
    fl.hosts.push(host);
    const start = fl.clock.now();
    await fl.lab.drive(bootNode(host, { eth0: `${hostIp(1)}/24`, pods: 1 }));
    const waited = fl.clock.now() - start;
    expect(waited).toBeGreaterThanOrEqual(JOIN_LOCK_WAIT_MS);
    expect(waited).toBeLessThan(JOIN_LOCK_WAIT_MS + 1000);
    expect(host.kernel.netnsList()).toContain('pod1');
    const keys = await fl.kv.range({
      key: JOIN_LOCK_PREFIX,
      rangeEnd: prefixEnd(JOIN_LOCK_PREFIX),
    });
    expect(keys.kvs.map((k) => k.key)).toEqual([wedged.key]); // ours was withdrawn
    await wedged.unlock();
  }, 30_000);

  it('boots without a lock when the host has no etcd, and can be aborted', async () => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' });
    const host = await fl.lab.addHost({ hostname: hostName(1) });
    (host as { kv?: unknown }).kv = undefined;
    const ctl = new AbortController();
    const boot = bootNode(host, { eth0: `${hostIp(1)}/24`, pods: 1 }, ctl.signal).then(
      () => 'booted',
      (e: Error) => e.name,
    );
    await fl.clock.advance(3000); // flanneld retries its config fetch every second, forever
    expect(host.services.status(FLANNELD_UNIT)?.state).toBe('activating');
    ctl.abort();
    expect(await fl.lab.drive(boot)).toBe('AbortError');
  }, 30_000);
});
