// Until the KV store lands: a KvClient whose every call fails the way etcdctl reports an
// unreachable etcd, so callers exercise their error paths instead of seeing fake data.

import { KvError, type KvClient } from '../engine/kv/types.ts';

export function createUnavailableKv(): KvClient {
  const fail = () => Promise.reject(new KvError('Unavailable', 'context deadline exceeded'));
  return {
    range: fail,
    put: fail,
    deleteRange: fail,
    txn: fail,
    compact: fail,
    leaseGrant: fail,
    leaseRevoke: fail,
    leaseKeepAlive: fail,
    leaseTimeToLive: fail,
    leaseList: fail,
    status: fail,
    watch: () => ({ cancel: () => {} }),
  };
}
