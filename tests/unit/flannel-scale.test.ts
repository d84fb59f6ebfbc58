// Issue 3's acceptance at scale: subnet exhaustion, and 64 flanneld racing for leases in one KV.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startPods } from '../../src/engine/lab/node-setup.ts';
import { ROOT_NS } from '../../src/engine/kernel/types.ts';
import { prefixEnd } from '../../src/engine/kv/key-range.ts';
import {
  addFlanneldHosts,
  hostIp,
  journal,
  leaseNet,
  makeFlannelLab,
  podIp,
  podPing,
  settleFor,
  startAllAtOnce,
} from './flannel-lab.ts';

const PREFIX = '/coreos.com/network/subnets/';

/** Every lease in the KV as subnet -> PublicIP. */
async function leasesInKv(kv: Awaited<ReturnType<typeof makeFlannelLab>>['kv']) {
  const r = await kv.range({ key: PREFIX, rangeEnd: prefixEnd(PREFIX) });
  return r.kvs.map((kv) => ({
    subnet: kv.key.slice(PREFIX.length),
    publicIP: (JSON.parse(kv.value) as { PublicIP: string }).PublicIP,
  }));
}

describe('flannel leases at scale', () => {
  it('gives 31 hosts a /21 in a /16 and refuses the 32nd: out of subnets', async () => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', subnetLen: 21, backend: 'vxlan' });
    const first = await addFlanneldHosts(fl, 31);
    await startAllAtOnce(fl, first);
    const leases = await leasesInKv(fl.kv);
    expect(leases).toHaveLength(31);
    expect(new Set(leases.map((l) => l.subnet)).size).toBe(31);
    for (const l of leases) expect(l.subnet).toMatch(/^10\.244\.\d+\.0-21$/);
    // SubnetMin skips the network's first /21, so all 31 others are taken.
    expect(leases.map((l) => l.subnet).sort()).toEqual(
      Array.from({ length: 31 }, (_, i) => `10.244.${(i + 1) * 8}.0-21`).sort(),
    );

    const [last] = await addFlanneldHosts(fl, 1);
    last.services.start('flanneld');
    await settleFor(fl, 1000);
    // Restart=on-failure: systemd waits RestartSec in 'activating (auto-restart)'.
    expect(last.services.status('flanneld')).toMatchObject({
      state: 'activating',
      subState: 'auto-restart',
      result: 'exit-code',
    });
    const log = await journal(fl, last.hostname);
    expect(log).toMatch(
      /flanneld\[\d+\]: E\d{4} [\d:.]+ +\d+ main\.go:\d+\] Error registering network: failed to acquire lease: out of subnets\n/,
    );
    expect(log).toContain('flanneld.service: Main process exited, code=exited, status=1/FAILURE');
    expect(await leasesInKv(fl.kv)).toHaveLength(31);
  }, 30_000);

  it('64 flanneld starting at once never share a subnet, and every host reaches every other', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 })), {
          minLength: 6,
          maxLength: 6,
        }),
        async (seed, pairs) => {
          const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' }, seed);
          const hosts = await addFlanneldHosts(fl, 64);
          const restarts = await startAllAtOnce(fl, hosts);
          // Losers of a lease race exit as flannel does, and get a lease once restarted.
          const lost = hosts.filter((h) =>
            h.journal.entries.some((e) =>
              e.message.endsWith(
                'Error registering network: failed to acquire lease: subnet already exists',
              ),
            ),
          );
          expect(lost.length).toBeLessThanOrEqual(restarts);
          expect(lost.length > 0).toBe(restarts > 0);
          await settleFor(fl, 1000); // the last watch snapshots reach the backends

          const leases = await leasesInKv(fl.kv);
          expect(leases).toHaveLength(64);
          expect(new Set(leases.map((l) => l.subnet)).size).toBe(64);
          expect(new Set(leases.map((l) => l.publicIP)).size).toBe(64);
          // Each host's subnet.env names the lease the KV holds for its PublicIP.
          hosts.forEach((h, i) => {
            const mine = leases.find((l) => l.publicIP === hostIp(i + 1));
            expect(mine?.subnet).toBe(`${leaseNet(h)}-24`);
          });
          // Every host has a route to every other host's subnet, through flannel.1.
          const flannel1 = (i: number) => hosts[i].kernel.linkGet(ROOT_NS, 'flannel.1').ifindex;
          hosts.forEach((h, i) => {
            const routed = h.kernel
              .routeDump(ROOT_NS, 'main')
              .filter((r) => r.oif === flannel1(i) && r.dstLen === 24 && r.onlink)
              .map((r) => `${r.dst}-24`);
            expect(routed.sort()).toEqual(
              leases
                .filter((l) => l.publicIP !== hostIp(i + 1))
                .map((l) => l.subnet)
                .sort(),
            );
          });
          // And packets follow: pods on sampled pairs ping each other.
          for (const [a, b] of pairs) {
            for (const i of new Set([a, b])) startPods(hosts[i], 1);
            const ttl = await podPing(fl, hosts[a].hostname, podIp(hosts[b]));
            expect(ttl).toBe(a === b ? 64 : 62);
          }
        },
      ),
      { numRuns: 4 },
    );
  }, 60_000);
});
