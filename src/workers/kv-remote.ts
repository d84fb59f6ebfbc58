// A KvClient across a MessagePort. The KV worker serves one per connected host (`serveKvPort`)
// and each host wraps its end (`wrapKvPort`). Requests are plain Comlink calls; a watch's
// callback travels as a Comlink proxy and its Watcher comes back as one, so cancel() reaches
// the worker. A KvError crosses as plain data and is rebuilt on arrival (Comlink would turn it
// into a bare Error), so callers can still test `instanceof KvError` and its `code`.

import * as Comlink from 'comlink';
import {
  KvError,
  type KvClient,
  type KvMember,
  type ResponseHeader,
  type Watcher,
  type WatchRequest,
  type WatchResponse,
} from '../engine/kv/types.ts';

type Requests = Omit<KvClient, 'watch' | 'memberList'>;

/** What the KV worker exposes on each host's port. */
export interface KvPortApi extends Requests {
  memberList(): Promise<{ header: ResponseHeader; members: KvMember[] }>;
  /** `onResponse` arrives as a Comlink proxy; the returned Watcher goes back as one. */
  watch(req: WatchRequest, onResponse: (res: WatchResponse) => void): Watcher & Comlink.ProxyMarked;
}

/** A KvError as it crosses the port (thrown plain objects reach the caller unchanged). */
interface WireKvError {
  kvError: { code: string; message: string };
}

function toWire(err: unknown): unknown {
  return err instanceof KvError ? { kvError: { code: err.code, message: err.message } } : err;
}

function fromWire(err: unknown): unknown {
  if (typeof err === 'object' && err !== null && 'kvError' in err) {
    const { code, message } = (err as WireKvError).kvError;
    return new KvError(code, message);
  }
  return err;
}

/** Runs `fn`, converting what it throws with `convert`. */
function converting<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  convert: (err: unknown) => unknown,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw convert(err);
    }
  };
}

/** Serves `client` on `port` (the KV worker's end of one host's channel). */
export function serveKvPort(client: KvClient, port: MessagePort): void {
  const out = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => converting(fn, toWire);
  const api: KvPortApi = {
    range: out((req) => client.range(req)),
    put: out((req) => client.put(req)),
    deleteRange: out((req) => client.deleteRange(req)),
    txn: out((req) => client.txn(req)),
    compact: out((revision) => client.compact(revision)),
    leaseGrant: out((ttl, id) => client.leaseGrant(ttl, id)),
    leaseRevoke: out((id) => client.leaseRevoke(id)),
    leaseKeepAlive: out((id) => client.leaseKeepAlive(id)),
    leaseTimeToLive: out((id, keys) => client.leaseTimeToLive(id, keys)),
    leaseList: out(() => client.leaseList()),
    status: out(() => client.status()),
    memberList: out(() => {
      if (!client.memberList) throw new KvError('Unimplemented', 'member list is not supported');
      return client.memberList();
    }),
    watch(req, onResponse) {
      const remote = onResponse as Comlink.Remote<(res: WatchResponse) => void>;
      let open = true;
      const cancel = () => {
        if (!open) return;
        open = false;
        watcher.cancel();
        remote[Comlink.releaseProxy]();
      };
      const watcher = client.watch(req, (res) => {
        // A host that can no longer take events (its port is gone) ends its watch.
        if (open) remote(res).catch(cancel);
      });
      return Comlink.proxy({ cancel });
    },
  };
  Comlink.expose(api, port);
}

const NO_HEADER: ResponseHeader = { clusterId: '0', memberId: '0', revision: 0, raftTerm: 0 };

/** The host's KvClient over its port to the KV worker. */
export function wrapKvPort(port: MessagePort): KvClient {
  const remote = Comlink.wrap<KvPortApi>(port);
  const call = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => converting(fn, fromWire);
  return {
    range: call((req) => remote.range(req)),
    put: call((req) => remote.put(req)),
    deleteRange: call((req) => remote.deleteRange(req)),
    txn: call((req) => remote.txn(req)),
    compact: call((revision) => remote.compact(revision)),
    leaseGrant: call((ttl, id) => remote.leaseGrant(ttl, id)),
    leaseRevoke: call((id) => remote.leaseRevoke(id)),
    leaseKeepAlive: call((id) => remote.leaseKeepAlive(id)),
    leaseTimeToLive: call((id, keys) => remote.leaseTimeToLive(id, keys)),
    leaseList: call(() => remote.leaseList()),
    status: call(() => remote.status()),
    memberList: call(() => remote.memberList()),
    watch(req, onResponse) {
      // Events already on their way when cancel() is called are dropped here, so none reach
      // the caller after cancel() returns, even before the worker has heard of it.
      let open = true;
      const deliver = (res: WatchResponse) => {
        if (open) onResponse(res);
      };
      const watcher = remote.watch(req, Comlink.proxy(deliver));
      // The worker could not start the watch (it is gone): end it the way etcd ends a watch.
      watcher.catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        deliver({ header: NO_HEADER, events: [], canceled: true, cancelReason: reason });
        open = false;
      });
      return {
        cancel() {
          if (!open) return;
          open = false;
          void watcher
            .then(async (w) => {
              await w.cancel();
              w[Comlink.releaseProxy]();
            })
            .catch(() => {
              // The worker is gone: its watch went with it.
            });
        },
      };
    },
  };
}
