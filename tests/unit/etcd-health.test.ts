// The header's view of a real etcd, against Debian's etcd-server: a 3-member cluster, one
// member stopped, then two (quorum lost), then all, then back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, etcdInstalled } from './etcd-cluster.ts';
import { etcdHealth } from '../../src/workers/etcd-health.ts';

const cluster = new EtcdCluster({ size: 3, basePort: 24380 });

describe.skipIf(!etcdInstalled())('etcdHealth on a real cluster', () => {
  beforeAll(() => cluster.start(), 30_000);
  afterAll(() => cluster.destroy());

  it('says ok, degraded, no leader, unreachable, and ok again', async () => {
    const [m1, m2, m3] = cluster.endpoints;
    const health = () => etcdHealth(cluster.endpoints, fetch, 1000);
    expect(await health()).toEqual({ level: 'ok', text: '' });
    await cluster.stopMember(2);
    expect(await health()).toEqual({
      level: 'degraded',
      text: `etcd: 1 of 3 members down (${m3})`,
    });
    await cluster.stopMember(1);
    // The last member keeps answering, but it has lost its leader once its election times out.
    await expect
      .poll(async () => (await health()).text, { timeout: 10_000 })
      .toBe(
        `etcd has no leader (quorum lost, ${m2}, ${m3} down): flanneld cannot renew its leases; ` +
          'the data path keeps working',
      );
    await cluster.stopMember(0);
    expect((await health()).text).toBe(
      `etcd unreachable (${m1}, ${m2}, ${m3}): flanneld cannot renew its leases; the data path keeps working`,
    );
    for (const i of [0, 1, 2]) cluster.startMember(i);
    await cluster.waitHealthy();
    expect(await health()).toEqual({ level: 'ok', text: '' });
  }, 60_000);
});
