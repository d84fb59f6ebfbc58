// The lab's real KV for unit tests: a KvServer and its in-process client, behind a switch that
// makes every request fail as an etcd outage does (open watches stay open).

import { createKvClient } from '../kv/client.ts';
import { prefixEnd } from '../kv/key-range.ts';
import { KvServer } from '../kv/server.ts';
import { KvError, type KeyValue, type KvClient } from '../kv/types.ts';
import type { LabClock } from '../os/clock.ts';
import { failing } from './proxies.ts';

const REQUESTS = ['range', 'put', 'deleteRange', 'txn', 'leaseGrant'];

export interface TestKv {
  server: KvServer;
  kv: KvClient;
  /** While true, requests fail with etcd's "context deadline exceeded". */
  outage: { down: boolean };
}

export function testKv(clock: LabClock): TestKv {
  const server = new KvServer({ clock });
  const outage = { down: false };
  const kv = failing(
    createKvClient(server),
    REQUESTS,
    () => new KvError('Unavailable', 'context deadline exceeded'),
    () => outage.down,
  );
  return { server, kv, outage };
}

/** The keys under `prefix`, in key order. */
export async function keysUnder(kv: KvClient, prefix: string): Promise<KeyValue[]> {
  return (await kv.range({ key: prefix, rangeEnd: prefixEnd(prefix) })).kvs;
}

/** One key's record, or undefined. */
export async function getKey(kv: KvClient, key: string): Promise<KeyValue | undefined> {
  return (await kv.range({ key })).kvs[0];
}
