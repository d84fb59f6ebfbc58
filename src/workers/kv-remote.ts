// A KvClient across a MessagePort. The KV worker serves one per connected host (`serveKvPort`)
// and each host wraps its end (`wrapKvPort`).
//
// The protocol is small and one-way where it can be: a call is one message each way, matched by
// a number; a watch's events are one-way messages tagged with the watch's number, and cancel is
// one message back. Every lease a node takes makes every other node's flanneld ask its TTL and
// receive a watch event, so a 64-node lab boots on thousands of these: a general RPC layer
// (a request and a reply per watch event, a listener per call) cost more than the store itself.
// The calls and the error type that crosses are the KV protocol's (engine/kv/protocol.ts).

import {
  answerCall,
  callsVia,
  errorFromWire,
  errorToWire,
  isKvCall,
  type KvCall,
  type WireError,
} from '../engine/kv/protocol.ts';
import {
  isAnswerOf,
  isMessage,
  isRequestOf,
  isWatchRequest,
  isWatchResponse,
  isWireError,
} from '../engine/kv/wire-check.ts';
import type { KvClient, ResponseHeader, WatchRequest, WatchResponse } from '../engine/kv/types.ts';

/** Host -> KV worker. */
type Request =
  | { t: 'call'; id: number; method: KvCall; args: unknown[] }
  | { t: 'watch'; id: number; req: WatchRequest }
  | { t: 'cancel'; id: number };

/** KV worker -> host. */
type Reply =
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'err'; id: number; error: WireError }
  | { t: 'event'; id: number; res: WatchResponse };

const hasId = (m: unknown) => isMessage(m, { id: Number.isSafeInteger });

/** Whether a message that arrived at the KV worker is a request it can serve. */
function isRequest(m: unknown): m is Request {
  if (!hasId(m)) return false;
  const r = m as Request;
  if (r.t === 'call') return isKvCall(r.method) && isRequestOf(r.method, r.args);
  if (r.t === 'watch') return isWatchRequest(r.req);
  return r.t === 'cancel';
}

/**
 * Serves `client` on `port` (the KV worker's end of one host's channel). A message that is not
 * a request is dropped and reported to `onDrop`.
 */
export function serveKvPort(client: KvClient, port: MessagePort, onDrop = () => {}): void {
  const watches = new Map<number, { cancel(): void }>();
  const reply = (m: Reply) => port.postMessage(m);
  port.onmessage = (e: MessageEvent) => {
    const m: unknown = e.data;
    if (!isRequest(m)) return onDrop();
    if (m.t === 'call') {
      void (async () => {
        try {
          reply({ t: 'ok', id: m.id, value: await answerCall(client, m.method, m.args) });
        } catch (err) {
          reply({ t: 'err', id: m.id, error: errorToWire(err) });
        }
      })();
    } else if (m.t === 'watch') {
      try {
        const watcher = client.watch(m.req, (res) => {
          if (!watches.has(m.id)) return;
          if (res.canceled) watches.delete(m.id);
          reply({ t: 'event', id: m.id, res });
        });
        watches.set(m.id, watcher);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        reply({
          t: 'event',
          id: m.id,
          res: { header: NO_HEADER, events: [], canceled: true, cancelReason: reason },
        });
      }
    } else if (m.t === 'cancel') {
      watches.get(m.id)?.cancel();
      watches.delete(m.id);
    }
  };
}

const NO_HEADER: ResponseHeader = { clusterId: '0', memberId: '0', revision: 0, raftTerm: 0 };

/** A host's port to the KV: calls waiting for their answer, messages received and dropped. */
export interface KvPortTraffic {
  inFlight: number;
  received: number;
  /** Messages that were not a reply to this host: dropped unread. */
  dropped: number;
}

/** The host's KvClient over its port to the KV worker. */
export function wrapKvPort(port: MessagePort): KvClient & { traffic(): KvPortTraffic } {
  let nextId = 1;
  let received = 0;
  let dropped = 0;
  const calls = new Map<
    number,
    { method: KvCall; resolve(v: unknown): void; reject(e: Error): void }
  >();
  const watches = new Map<number, (res: WatchResponse) => void>();
  /** Whether `m` answers a call or watch of this host, with what that call answers. */
  const isReply = (m: unknown): m is Reply => {
    if (!hasId(m)) return false;
    const r = m as Reply;
    if (r.t === 'event') return isWatchResponse(r.res);
    const call = calls.get(r.id);
    if (r.t === 'ok') return call !== undefined && isAnswerOf(call.method, r.value);
    return r.t === 'err' && isWireError(r.error);
  };
  port.onmessage = (e: MessageEvent) => {
    const m: unknown = e.data;
    received++;
    if (!isReply(m)) {
      dropped++;
      return;
    }
    if (m.t === 'event') {
      watches.get(m.id)?.(m.res);
      return;
    }
    const call = calls.get(m.id);
    if (!call) return;
    calls.delete(m.id);
    if (m.t === 'ok') call.resolve(m.value);
    else call.reject(errorFromWire(m.error));
  };
  const send = (method: KvCall, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      calls.set(id, { method, resolve, reject });
      port.postMessage({ t: 'call', id, method, args } satisfies Request);
    });
  return {
    ...callsVia(send),
    traffic: () => ({ inFlight: calls.size, received, dropped }),
    watch(req, onResponse) {
      const id = nextId++;
      watches.set(id, (res) => {
        if (res.canceled) watches.delete(id);
        onResponse(res);
      });
      port.postMessage({ t: 'watch', id, req } satisfies Request);
      return {
        cancel() {
          if (!watches.delete(id)) return;
          port.postMessage({ t: 'cancel', id } satisfies Request);
        },
      };
    },
  };
}
