// A distributed lock over the KV, following etcd's clientv3/concurrency recipe (Session +
// Mutex): each contender holds a session lease and puts `<prefix><lease id in hex>` with it;
// contenders are served in the order of their keys' create revisions, each one waiting only
// for the deletion of the key just before its own. A holder that dies stops renewing its
// lease, so its key expires and the next contender goes on.

import { abortError } from '../os/clock.ts';
import type { LabClock } from '../os/clock.ts';
import { prefixEnd } from './key-range.ts';
import type { KeyValue, KvClient, Watcher } from './types.ts';
import { KvError } from './types.ts';

/** concurrency.NewSession's default TTL is 60 s; callers here want a dead holder gone sooner. */
export const DEFAULT_SESSION_TTL_SECONDS = 10;

export interface MutexOptions {
  clock: LabClock;
  /** The session lease's TTL; the lease is kept alive every third of it while waiting/holding. */
  ttlSeconds?: number;
  /** Gives up waiting: the key is deleted, the lease revoked, and lock() rejects (AbortError). */
  signal?: AbortSignal;
}

export interface MutexHold {
  /** This contender's key, `<prefix><lease id hex>`. */
  readonly key: string;
  readonly leaseId: number;
  /** Mutex.Unlock + Session.Close: deletes the key and revokes the lease. */
  unlock(): Promise<void>;
}

/** concurrency.ErrSessionExpired: the session lease ran out while waiting for the lock. */
export class SessionExpiredError extends Error {
  constructor() {
    super('session expired');
    this.name = 'SessionExpiredError';
  }
}

/**
 * Takes the lock named by `prefix` (etcd's NewMutex adds the trailing '/'; pass it here).
 * Resolves once this contender's key has the lowest create revision under the prefix.
 */
export async function lockMutex(
  kv: KvClient,
  prefix: string,
  opts: MutexOptions,
): Promise<MutexHold> {
  const { clock, signal } = opts;
  if (signal?.aborted) throw abortError();
  const ttl = opts.ttlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const { id: leaseId } = await kv.leaseGrant(ttl);
  const key = `${prefix}${leaseId.toString(16)}`;

  // The session's keep-alive loop (clientv3 renews at a third of the TTL).
  let stopKeepAlive = () => {};
  const keepAlive = () => {
    stopKeepAlive = clock.setTimer((ttl * 1000) / 3, () => {
      kv.leaseKeepAlive(leaseId).then(keepAlive, () => {}); // a lost lease shows in the re-check
    });
  };
  keepAlive();
  const release = async () => {
    stopKeepAlive();
    await kv.deleteRange({ key }).catch(() => {});
    await kv.leaseRevoke(leaseId).catch(() => {});
  };

  try {
    // tryAcquire: put our key unless it exists, and learn our create revision either way.
    const res = await kv.txn({
      compare: [{ key, target: 'create', result: '=', operand: 0 }],
      success: [{ put: { key, value: '', lease: leaseId } }],
      failure: [{ range: { key } }],
    });
    let myRev = res.header.revision;
    if (!res.succeeded) {
      const first = res.responses[0];
      if ('range' in first && first.range.kvs[0]) myRev = first.range.kvs[0].createRevision;
    }
    // waitDeletes: until no key older than ours is left, wait for the newest of them to go.
    for (;;) {
      if (signal?.aborted) throw abortError();
      const ahead = await keysCreatedBefore(kv, prefix, myRev);
      if (!ahead.kv) break;
      await waitForDelete(kv, ahead.kv.key, ahead.revision + 1, signal);
    }
    // Our key must still be there: an expired session means someone else may hold the lock.
    const mine = await kv.range({ key });
    if (mine.kvs.length === 0) throw new SessionExpiredError();
  } catch (err) {
    await release();
    throw err;
  }
  return { key, leaseId, unlock: release };
}

/** The key with the largest create revision below `maxRev` (WithLastCreate+WithMaxCreateRev). */
async function keysCreatedBefore(
  kv: KvClient,
  prefix: string,
  maxRev: number,
): Promise<{ kv?: KeyValue; revision: number }> {
  const res = await kv.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
  let last: KeyValue | undefined;
  for (const k of res.kvs)
    if (k.createRevision < maxRev && (!last || k.createRevision > last.createRevision)) last = k;
  return { kv: last, revision: res.header.revision };
}

/** Resolves when `key` is deleted at or after `fromRev`; rejects on abort or a cancelled watch. */
function waitForDelete(
  kv: KvClient,
  key: string,
  fromRev: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // The watch may answer from history before kv.watch() returns.
    const watch: { watcher?: Watcher } = {};
    let finished = false;
    const done = (err?: Error) => {
      if (finished) return;
      finished = true;
      watch.watcher?.cancel();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    watch.watcher = kv.watch({ key, startRevision: fromRev }, (res) => {
      if (res.canceled)
        done(new KvError('Canceled', res.cancelReason ?? 'etcdserver: watch canceled'));
      else if (res.events.some((e) => e.type === 'DELETE')) done();
    });
    if (finished) watch.watcher.cancel();
  });
}
