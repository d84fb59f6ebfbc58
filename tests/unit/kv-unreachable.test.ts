// The lab's "etcd unreachable" fault (workers/kv-reach.ts) on three real nodes: flanneld logs
// and retries as flannel does, the data path keeps working, and leases that expired while etcd
// was out of reach are handled as flannel handles them once it is back.
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../../src/engine/kv/client.ts';
import { KvServer } from '../../src/engine/kv/server.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { ensureNetworkConfig } from '../../src/engine/lab/node-setup.ts';
import { seededRandom } from '../../src/engine/lab/local-lab.ts';
import { KvReach } from '../../src/workers/kv-reach.ts';
import {
  LAB_START,
  addNodes,
  journal,
  makeLocalLab,
  podIp,
  podPing,
  type FlannelLab,
} from './flannel-lab.ts';

const HOUR = 3_600_000;

async function gatedLab(): Promise<FlannelLab & { reach: KvReach }> {
  const clock = new ManualClock(LAB_START);
  const server = new KvServer({ clock });
  const reach = new KvReach();
  const kv = reach.through(
    () => createKvClient(server),
    (run) => run(),
  );
  const lab = await makeLocalLab(clock, kv, seededRandom(7));
  await ensureNetworkConfig(kv, { network: '10.244.0.0/16', backend: 'vxlan' });
  const fl = { lab, clock, server, kv, hosts: [], reach };
  await addNodes(fl, 3);
  return fl;
}

async function pingAll(fl: FlannelLab): Promise<void> {
  for (const a of fl.hosts)
    for (const b of fl.hosts) if (a !== b) expect(await podPing(fl, a.hostname, podIp(b))).toBe(62);
}

describe('etcd unreachable', () => {
  it('renewals fail and retry every minute, the data path works, renewal resumes', async () => {
    const fl = await gatedLab();
    fl.reach.set(false);
    expect((await fl.lab.run('node1', 'etcdctl get /coreos.com/network/config')).stderr).toContain(
      'context deadline exceeded',
    );
    await fl.lab.advance(23 * HOUR + 3 * 60_000);
    for (const h of fl.hosts) {
      const log = await journal(fl, h.hostname);
      const errors = log.match(
        /Error renewing lease \(trying again in 1 min\): context deadline exceeded\n/g,
      );
      expect(errors?.length).toBeGreaterThanOrEqual(3);
    }
    await pingAll(fl);
    fl.reach.set(true);
    await fl.lab.advance(61_000);
    for (const h of fl.hosts) {
      const log = await journal(fl, h.hostname);
      expect(log.lastIndexOf('Lease renewed')).toBeGreaterThan(log.lastIndexOf('Error renewing'));
    }
    await pingAll(fl);
  }, 60_000);

  it('leases that expired meanwhile: each flanneld hears its own DELETE and shuts down', async () => {
    const fl = await gatedLab();
    fl.reach.set(false);
    await fl.lab.advance(24 * HOUR + 60_000);
    // etcd expired every lease on its clock; the hosts have not heard of it yet.
    expect(
      (
        await fl.server.range({
          key: '/coreos.com/network/subnets/',
          rangeEnd: '/coreos.com/network/subnets0',
        })
      ).kvs,
    ).toEqual([]);
    await pingAll(fl);
    fl.reach.set(true);
    await fl.lab.advance(1_000);
    for (const h of fl.hosts)
      expect(await journal(fl, h.hostname)).toContain(
        'Lease has been revoked. Shutting down daemon.',
      );
  }, 60_000);
});
