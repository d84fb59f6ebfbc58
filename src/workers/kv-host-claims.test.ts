import { describe, expect, it } from 'vitest';
import { createKvClient } from '../engine/kv/client.ts';
import { prefixEnd } from '../engine/kv/key-range.ts';
import { KvServer } from '../engine/kv/server.ts';
import { ManualClock } from '../engine/os/clock.ts';
import { makeHosts } from '../engine/lab/params.ts';
import {
  CLAIM_TTL_SECONDS,
  HostClaims,
  hostNamed,
  MAX_LAB_HOSTS,
  MINIONS_PREFIX,
  minionOwner,
} from './kv-host-claims.ts';

/** One etcd on its own clock; each tab keeps its claims alive on its own clock. */
function lab() {
  const etcdClock = new ManualClock();
  const server = new KvServer({ clock: etcdClock });
  const kv = createKvClient(server);
  const tab = (tabId: string, alive?: (id: string) => Promise<boolean>) => {
    const clock = new ManualClock();
    const warnings: string[] = [];
    const claims = new HostClaims({
      kv,
      clock,
      tabId,
      tabAlive: alive,
      warn: (m) => warnings.push(m),
    });
    return { claims, clock, warnings };
  };
  const minions = async () =>
    (await kv.range({ key: MINIONS_PREFIX, rangeEnd: prefixEnd(MINIONS_PREFIX) })).kvs.map(
      (r) => `${r.key.slice(MINIONS_PREFIX.length)}:${minionOwner(r.value)}`,
    );
  return { kv, etcdClock, tab, minions };
}

describe('host names of a lab', () => {
  it('derives each name’s address as params.ts does for a lab of that size', () => {
    const hosts = makeHosts(12);
    for (const h of hosts) expect(hostNamed(h.hostname)).toEqual(h);
    expect(hostNamed('node4').eth0).toBe('172.16.112.131/24');
    expect(hostNamed('node6').eth0).toBe('172.16.112.134/24');
    // The underlay is one /24: .128-.254 less the gateway's, minus nothing else.
    expect(MAX_LAB_HOSTS).toBe(126);
    expect(hostNamed(`node${MAX_LAB_HOSTS}`).eth0).toBe('172.16.112.254/24');
    expect(() => hostNamed(`node${MAX_LAB_HOSTS + 1}`)).toThrow('is not a host name of this lab');
    expect(() => hostNamed('node0')).toThrow();
    expect(() => hostNamed('web1')).toThrow();
  });
});

describe('HostClaims', () => {
  it('gives the first tab node1..3 and a joining tab node4..6, under leases', async () => {
    const { tab, minions, kv } = lab();
    expect(await tab('A').claims.claim(3)).toEqual(['node1', 'node2', 'node3']);
    expect(await tab('B').claims.claim(3)).toEqual(['node4', 'node5', 'node6']);
    expect(await minions()).toEqual([
      'node1:A',
      'node2:A',
      'node3:A',
      'node4:B',
      'node5:B',
      'node6:B',
    ]);
    const rec = (await kv.range({ key: `${MINIONS_PREFIX}node5` })).kvs[0];
    expect(JSON.parse(rec.value)).toEqual({
      kind: 'Node',
      apiVersion: 'v1',
      metadata: { name: 'node5', annotations: { 'flannel-playground/tab': 'B' } },
      status: { addresses: [{ type: 'InternalIP', address: '172.16.112.132' }] },
    });
    expect((await kv.leaseTimeToLive(rec.lease)).grantedTtl).toBe(CLAIM_TTL_SECONDS);
  });

  it('never hands one name to two tabs claiming at once', async () => {
    const { tab, minions } = lab();
    const got = await Promise.all(['A', 'B', 'C'].map((id) => tab(id).claims.claim(2)));
    expect(got.flat().sort()).toEqual(['node1', 'node2', 'node3', 'node4', 'node5', 'node6']);
    expect(await minions()).toHaveLength(6);
  });

  it('keeps claims alive, and a crashed tab’s names lapse with its lease', async () => {
    const { tab, etcdClock, minions } = lab();
    const a = tab('A');
    const b = tab('B');
    await a.claims.claim(1);
    await b.claims.claim(1);
    // A keeps its lease alive; B's tab died without a word (its keep-alives stop).
    for (let s = 0; s < 120; s += 10) {
      await a.clock.advance(10_000);
      await etcdClock.advance(10_000);
    }
    expect(await minions()).toEqual(['node1:A']);
    expect(await tab('C').claims.claim(1)).toEqual(['node2']);
  });

  it('takes over at once the names of a tab known to be gone', async () => {
    const { tab, minions } = lab();
    const running = new Set(['A', 'B']);
    const alive = (id: string) => Promise.resolve(running.has(id));
    await tab('A', alive).claims.claim(3);
    await tab('B', alive).claims.claim(2);
    running.delete('A'); // tab A reloads
    running.add('A2');
    expect(await tab('A2', alive).claims.claim(3)).toEqual(['node1', 'node2', 'node3']);
    expect(await minions()).toEqual(['node1:A2', 'node2:A2', 'node3:A2', 'node4:B', 'node5:B']);
  });

  it('adds names to a tab, skipping those it had (a removed host’s name is not reused)', async () => {
    const { tab } = lab();
    const a = tab('A');
    expect(await a.claims.claim(2)).toEqual(['node1', 'node2']);
    expect(await tab('B').claims.claim(1)).toEqual(['node3']);
    expect(await a.claims.claim(1)).toEqual(['node4']);
  });

  it('claims its names again when its lease expired under it', async () => {
    const { tab, etcdClock, minions, kv } = lab();
    const a = tab('A');
    await a.claims.claim(2);
    // The leader's clock jumped a day ahead: the lease and its keys are gone.
    await etcdClock.advance(86_400_000);
    expect(await minions()).toEqual([]);
    await a.clock.advance(CLAIM_TTL_SECONDS * 1000); // the next keep-alive finds out
    expect(await minions()).toEqual(['node1:A', 'node2:A']);
    const lease = (await kv.range({ key: `${MINIONS_PREFIX}node1` })).kvs[0].lease;
    expect((await kv.leaseTimeToLive(lease)).ttl).toBe(CLAIM_TTL_SECONDS);
    expect(a.warnings).toEqual([]);
  });

  it('gives the names back on dispose', async () => {
    const { tab, minions } = lab();
    const a = tab('A');
    await a.claims.claim(3);
    a.claims.dispose();
    await new Promise((r) => setTimeout(r, 0));
    expect(await minions()).toEqual([]);
  });

  it('says so when the underlay has no address left', async () => {
    const { tab } = lab();
    expect(await tab('A').claims.claim(100)).toHaveLength(100);
    expect(await tab('B').claims.claim(100)).toHaveLength(MAX_LAB_HOSTS - 100);
    await expect(tab('C').claims.claim(3)).rejects.toThrow(
      'this lab already runs 126 hosts, all the addresses its underlay 172.16.112.0/24 has; ' +
        'close a tab of this lab to add more',
    );
  });
});
