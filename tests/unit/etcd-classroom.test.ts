// The classroom: two browsers' KV workers on one real etcd (?etcd=) claim distinct host names,
// and a page that cannot reach the cluster is told what to fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/engine/lab/local-lab.ts';
import type { ClockParams } from '../../src/engine/os/realtime-clock.ts';
import { connectEtcd, diagnose } from '../../src/workers/etcd-connect.ts';
import { MINIONS_PREFIX } from '../../src/workers/kv-host-claims.ts';
import { KvService } from '../../src/workers/kv-service.ts';
import { MemoryKvStorage } from '../../src/engine/kv/storage.ts';
import { EtcdCluster, etcdInstalled } from './etcd-cluster.ts';

const ORIGIN = 'http://localhost:4208';
const CLOCK: ClockParams = { labAtAnchor: Date.now(), sourceAtAnchor: Date.now(), speed: 1 };
const deps = {
  fetch,
  setTimer: (ms: number, fn: () => void) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  random: seededRandom(9),
};

function browser(): KvService {
  return new KvService({
    source: () => Date.now(),
    schedule: (fn, ms) => {
      const id = setTimeout(fn, ms);
      return () => clearTimeout(id);
    },
    storage: () => new MemoryKvStorage(),
    // Each browser has its own locks: another browser's tabs are invisible to it.
    tabs: {
      lock: (_name, hold) => hold(),
      heldLocks: () => Promise.resolve([]),
      channel: () => {
        throw new Error('no BroadcastChannel across browsers');
      },
      newId: () => 'unused',
    },
  });
}

describe('a page that cannot use the cluster is told why', () => {
  it('names a cluster that is not there, with the flags to check', async () => {
    await expect(connectEtcd(['http://127.0.0.1:1'], ORIGIN, deps)).rejects.toThrow(
      /^cannot reach etcd at http:\/\/127\.0\.0\.1:1 \(.*\): is it running and listening there \(--listen-client-urls, --advertise-client-urls\)\? If it runs with --cors, add http:\/\/localhost:4208 to etcd's --cors \(e\.g\. --cors=http:\/\/localhost:4208, or leave --cors out to allow any page\)$/,
    );
  });

  it('tells a missing --cors from a cluster that is down (a no-cors request still gets through)', async () => {
    // What a browser does with an etcd started without --cors: the CORS request fails as a
    // network error, the opaque no-cors one succeeds.
    const browserFetch = ((_url: string, init?: RequestInit) =>
      init?.mode === 'no-cors'
        ? Promise.resolve(new Response(null, { status: 200 }))
        : Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    expect(await diagnose('http://10.0.0.5:2379', ORIGIN, browserFetch)).toBe(
      'etcd at http://10.0.0.5:2379 is up but does not allow this page (no CORS headers for ' +
        "http://localhost:4208): add http://localhost:4208 to etcd's --cors (e.g. " +
        '--cors=http://localhost:4208, or leave --cors out to allow any page)',
    );
  });
});

describe.skipIf(!etcdInstalled())('two browsers on one etcd', () => {
  const cluster = new EtcdCluster({ size: 1, basePort: 24360, cors: ORIGIN });
  beforeAll(() => cluster.start(), 30_000);
  afterAll(() => cluster.destroy());

  it('hands out node1..3 to the first and node4..6 to the second', async () => {
    const first = browser();
    const second = browser();
    await first.openRemote('class', CLOCK, connectEtcd(cluster.endpoints, ORIGIN, deps), 'tab-a');
    await second.openRemote('class', CLOCK, connectEtcd(cluster.endpoints, ORIGIN, deps), 'tab-b');
    expect(await first.claimHosts('class', 3)).toEqual(['node1', 'node2', 'node3']);
    expect(await second.claimHosts('class', 3)).toEqual(['node4', 'node5', 'node6']);
    const r = cluster.etcdctl(['get', '--prefix', MINIONS_PREFIX, '--keys-only']);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(6);
    first.close();
    second.close();
  });
});
