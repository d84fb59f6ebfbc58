// A KvClient across a MessagePort. The KV worker serves one per connected host (`serveKvPort`)
// and each host wraps its end (`wrapKvPort`).
//
// The protocol is small and one-way where it can be: a call is one message each way, matched by
// a number; a watch's events are one-way messages tagged with the watch's number, and cancel is
// one message back. Every lease a node takes makes every other node's flanneld ask its TTL and
// receive a watch event, so a 64-node lab boots on thousands of these: a general RPC layer
// (a request and a reply per watch event, a listener per call) cost more than the store itself.
// A KvError crosses as plain data and is rebuilt on arrival, so callers can still test
// `instanceof KvError` and its `code`.

import {
  KvError,
  type KvClient,
  type ResponseHeader,
  type WatchRequest,
  type WatchResponse,
} from '../engine/kv/types.ts';
import { KV_METHODS, type KvMethod } from './kv-methods.ts';

/** Host -> KV worker. */
type Request =
  | { t: 'call'; id: number; method: KvMethod; args: unknown[] }
  | { t: 'watch'; id: number; req: WatchRequest }
  | { t: 'cancel'; id: number };

/** KV worker -> host. */
type Reply =
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'err'; id: number; error: WireError }
  | { t: 'event'; id: number; res: WatchResponse };

/** An error as it crosses the port. */
interface WireError {
  kvError?: { code: string; message: string };
  message: string;
}

function toWire(err: unknown): WireError {
  if (err instanceof KvError)
    return { kvError: { code: err.code, message: err.message }, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}

function fromWire(err: WireError): Error {
  return err.kvError ? new KvError(err.kvError.code, err.kvError.message) : new Error(err.message);
}

/** Serves `client` on `port` (the KV worker's end of one host's channel). */
export function serveKvPort(client: KvClient, port: MessagePort): void {
  const watches = new Map<number, { cancel(): void }>();
  const reply = (m: Reply) => port.postMessage(m);
  port.onmessage = (e: MessageEvent) => {
    const m = e.data as Request;
    if (typeof m !== 'object' || m === null || typeof m.id !== 'number') return;
    if (m.t === 'call') {
      void (async () => {
        try {
          if (!KV_METHODS.has(m.method)) throw new Error(`unknown call ${String(m.method)}`);
          const fn = client[m.method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
          if (!fn) throw new KvError('Unimplemented', `${m.method} is not supported`);
          reply({ t: 'ok', id: m.id, value: await fn.apply(client, m.args) });
        } catch (err) {
          reply({ t: 'err', id: m.id, error: toWire(err) });
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

/** A host's port to the KV: calls waiting for their answer, messages received so far. */
export interface KvPortTraffic {
  inFlight: number;
  received: number;
}

/** The host's KvClient over its port to the KV worker. */
export function wrapKvPort(port: MessagePort): KvClient & { traffic(): KvPortTraffic } {
  let nextId = 1;
  let received = 0;
  const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const watches = new Map<number, (res: WatchResponse) => void>();
  port.onmessage = (e: MessageEvent) => {
    const m = e.data as Reply;
    received++;
    if (m.t === 'event') {
      watches.get(m.id)?.(m.res);
      return;
    }
    const call = calls.get(m.id);
    if (!call) return;
    calls.delete(m.id);
    if (m.t === 'ok') call.resolve(m.value);
    else call.reject(fromWire(m.error));
  };
  const call =
    <K extends KvMethod>(method: K) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        calls.set(id, { resolve, reject });
        port.postMessage({ t: 'call', id, method, args } satisfies Request);
      });
  const client = Object.fromEntries([...KV_METHODS].map((name) => [name, call(name as KvMethod)]));
  return {
    ...(client as unknown as Omit<KvClient, 'watch'>),
    traffic: () => ({ inFlight: calls.size, received }),
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
