// The KvClient calls that are a plain request and answer (everything but watch), as the two
// KV protocols (a host's port, the lab's channel between tabs) name them.
import type { KvClient } from '../engine/kv/types.ts';

export type KvMethod = Exclude<keyof KvClient, 'watch'>;

export const KV_METHODS: ReadonlySet<string> = new Set<KvMethod>([
  'range',
  'put',
  'deleteRange',
  'txn',
  'compact',
  'leaseGrant',
  'leaseRevoke',
  'leaseKeepAlive',
  'leaseTimeToLive',
  'leaseList',
  'status',
  'memberList',
]);
