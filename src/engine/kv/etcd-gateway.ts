// The KvClient over a real etcd cluster's v3 JSON gateway (grpc-gateway: POST /v3/kv/range,
// /v3/lease/grant, a streamed /v3/watch, ...), so flanneld, etcdctl and the UI run unchanged
// against `etcd --cors <origin>`. Keys and values cross as base64, 64-bit numbers as decimal
// strings, errors as {error, code} with etcd's own text.
//
// Like etcd's clientv3 it pins one endpoint and fails over to the next when that one cannot be
// reached; a call that never reached a member is retried on the others until its deadline
// (clientv3's "context deadline exceeded"); one a member answered "unavailable" (no leader,
// request timed out) is retried only when it is safe to repeat (reads, lease keep-alives), as
// clientv3's retry interceptor does. A watch whose stream breaks reconnects and resumes from the
// revision after the last one it delivered, so no event is lost or repeated.
//
// Its timers run on real time (the cluster's leases do), not on the lab clock; `fetch`, the
// timers and randomness are passed in, as everything in the engine.

import {
  KvError,
  type Compare,
  type KeyValue,
  type KvClient,
  type RangeRequest,
  type RangeResponse,
  type RequestOp,
  type ResponseHeader,
  type ResponseOp,
  type TxnRequest,
  type TxnResponse,
  type WatchRequest,
  type WatchResponse,
} from './types.ts';
import { errCompacted, errLeaseNotFound } from './errors.ts';
import { inRange } from './key-range.ts';

export interface EtcdGatewayOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379', 'http://127.0.0.1:22379']. */
  endpoints: string[];
  fetch: typeof fetch;
  /** Real-time timer (setTimeout's shape, returning a cancel). */
  setTimer: (ms: number, fn: () => void) => () => void;
  /** For lease IDs the client picks (see leaseGrant). */
  random: () => number;
  /**
   * A call's deadline across all retries; longer than etcd's own request timeout (5 s + two
   * election timeouts), so a cluster without quorum answers with its own error first.
   */
  requestTimeoutMs?: number;
  /** Told when a watch stream breaks and is resumed elsewhere (for a log line). */
  onReconnect?: (endpoint: string, reason: string) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Pause between two rounds over all endpoints, and before a broken watch reconnects. */
const RETRY_BACKOFF_MS = 250;

/** gRPC status codes by number, as the gateway reports them. */
const GRPC_CODES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/**
 * The call ran out of time: 'Unavailable' when no member ever answered (etcdctl then prints
 * clientv3's "all SubConns are in TransientFailure"), 'DeadlineExceeded' when one was slow.
 */
export const errDeadlineExceeded = (reached: boolean) =>
  new KvError(reached ? 'DeadlineExceeded' : 'Unavailable', 'context deadline exceeded');

/** A fetch that never got an answer: connection refused, reset, or blocked by CORS. */
class Unreachable extends Error {}

// ---- JSON shapes (the gateway's names) ----

type Json = Record<string, unknown>;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function b64(text: string): string {
  let bin = '';
  for (const byte of utf8.encode(text)) bin += String.fromCharCode(byte);
  return btoa(bin);
}

export function unb64(data: unknown): string {
  if (typeof data !== 'string' || data === '') return '';
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return fromUtf8.decode(bytes);
}

const int = (v: unknown): number => (v === undefined || v === null ? 0 : Number(v));

/**
 * etcd's lease IDs are int64; the KvClient's are numbers. The IDs this client grants are below
 * 2^53 (so they print the same everywhere); a larger one another client granted is kept by its
 * rounded number, so it can still be kept alive or revoked.
 */
class LeaseIds {
  private readonly exact = new Map<number, string>();
  toNumber(v: unknown): number {
    const text = v === undefined || v === null ? '0' : String(v);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) this.exact.set(n, text);
    return n;
  }
  toWire(n: number): string {
    return this.exact.get(n) ?? String(n);
  }
}

function toHeader(h: unknown): ResponseHeader {
  const j = (h ?? {}) as Json;
  return {
    clusterId: String(j.cluster_id ?? '0'),
    memberId: String(j.member_id ?? '0'),
    revision: int(j.revision),
    raftTerm: int(j.raft_term),
  };
}

const COMPARE_TARGETS = {
  version: ['VERSION', 'version'],
  create: ['CREATE', 'create_revision'],
  mod: ['MOD', 'mod_revision'],
  value: ['VALUE', 'value'],
  lease: ['LEASE', 'lease'],
} as const;
const COMPARE_RESULTS = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '>': 'GREATER', '<': 'LESS' } as const;

export function createEtcdGateway(opts: EtcdGatewayOptions): KvClient & { close(): void } {
  if (opts.endpoints.length === 0) throw new Error('etcd: no endpoints given');
  const endpoints = opts.endpoints.map((e) => e.replace(/\/+$/, ''));
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const ids = new LeaseIds();
  /** The pinned endpoint's index: calls go there until it fails. */
  let pinned = 0;
  let closed = false;
  const closers = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = opts.setTimer(ms, () => (closers.delete(cancel), resolve()));
      closers.add(cancel);
    });

  /** One POST to one endpoint: the parsed body, a KvError for etcd's errors, or Unreachable. */
  async function post(endpoint: string, path: string, body: Json, signal: AbortSignal) {
    let res: Response;
    let text: string;
    try {
      res = await opts.fetch(`${endpoint}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      throw new Unreachable(err instanceof Error ? err.message : String(err));
    }
    let json: Json;
    try {
      json = JSON.parse(text) as Json;
    } catch {
      throw new Unreachable(`${endpoint}${path}: HTTP ${res.status}: not etcd's JSON gateway`);
    }
    // Streamed calls (lease keep-alive) wrap their one answer as {result} or {error: {...}}.
    const inner = (json.result ?? json) as Json;
    const error = (json.error && typeof json.error === 'object' ? json.error : json) as Json;
    if (typeof error.message === 'string' && (error.code ?? error.grpc_code) !== undefined) {
      const code = GRPC_CODES[int(error.code ?? error.grpc_code)] ?? 'Unknown';
      throw new KvError(code, error.message);
    }
    return inner;
  }

  /**
   * A call with clientv3's failover: the pinned endpoint first, then the others, round after
   * round, until the deadline. `repeatable` calls are also retried after "unavailable".
   */
  async function call(path: string, body: Json, repeatable: boolean): Promise<Json> {
    if (closed) throw new KvError('Canceled', 'grpc: the client connection is closing');
    const ctl = new AbortController();
    let expired = false;
    let reached = false;
    const cancel = opts.setTimer(timeoutMs, () => ((expired = true), ctl.abort()));
    try {
      for (;;) {
        for (let tried = 0; tried < endpoints.length; tried++) {
          const index = (pinned + tried) % endpoints.length;
          try {
            const json = await post(endpoints[index], path, body, ctl.signal);
            pinned = index;
            return json;
          } catch (err) {
            if (expired) throw errDeadlineExceeded(reached || !(err instanceof Unreachable));
            if (!(err instanceof Unreachable)) reached = true;
            const retry =
              err instanceof Unreachable ||
              (repeatable && err instanceof KvError && err.code === 'Unavailable');
            if (!retry) throw err;
          }
        }
        await Promise.race([
          sleep(RETRY_BACKOFF_MS),
          new Promise((resolve) => ctl.signal.addEventListener('abort', resolve)),
        ]);
        if (expired) throw errDeadlineExceeded(reached);
      }
    } finally {
      cancel();
    }
  }

  const header = (j: Json) => toHeader(j.header);

  const toKv = (k: unknown): KeyValue => {
    const j = k as Json;
    return {
      key: unb64(j.key),
      value: unb64(j.value),
      createRevision: int(j.create_revision),
      modRevision: int(j.mod_revision),
      version: int(j.version),
      lease: ids.toNumber(j.lease),
    };
  };

  const rangeBody = (req: RangeRequest): Json => ({
    key: b64(req.key),
    ...(req.rangeEnd ? { range_end: b64(req.rangeEnd) } : {}),
    ...(req.limit ? { limit: String(req.limit) } : {}),
    ...(req.revision ? { revision: String(req.revision) } : {}),
    ...(req.keysOnly ? { keys_only: true } : {}),
    ...(req.countOnly ? { count_only: true } : {}),
  });
  const toRange = (j: Json): RangeResponse => ({
    header: header(j),
    kvs: ((j.kvs as unknown[]) ?? []).map(toKv),
    more: j.more === true,
    count: int(j.count),
  });

  const compareBody = (c: Compare): Json => {
    const [target, field] = COMPARE_TARGETS[c.target];
    const operand =
      c.target === 'value'
        ? b64(String(c.operand))
        : c.target === 'lease'
          ? ids.toWire(Number(c.operand))
          : String(c.operand);
    return {
      key: b64(c.key),
      ...(c.rangeEnd ? { range_end: b64(c.rangeEnd) } : {}),
      target,
      result: COMPARE_RESULTS[c.result],
      [field]: operand,
    };
  };
  const opBody = (op: RequestOp): Json => {
    if ('range' in op) return { request_range: rangeBody(op.range) };
    if ('put' in op) return { request_put: putBody(op.put) };
    if ('deleteRange' in op) return { request_delete_range: deleteBody(op.deleteRange) };
    return { request_txn: txnBody(op.txn) };
  };
  const txnBody = (t: TxnRequest): Json => ({
    compare: t.compare.map(compareBody),
    success: t.success.map(opBody),
    failure: t.failure.map(opBody),
  });
  const toResponseOp = (r: unknown): ResponseOp => {
    const j = r as Json;
    if (j.response_range) return { range: toRange(j.response_range as Json) };
    if (j.response_put) return { put: toPut(j.response_put as Json) };
    if (j.response_delete_range) return { deleteRange: toDelete(j.response_delete_range as Json) };
    return { txn: toTxn(j.response_txn as Json) };
  };
  const toTxn = (j: Json): TxnResponse => ({
    header: header(j),
    succeeded: j.succeeded === true,
    responses: ((j.responses as unknown[]) ?? []).map(toResponseOp),
  });

  const putBody = (p: { key: string; value: string; lease?: number; prevKv?: boolean }): Json => ({
    key: b64(p.key),
    value: b64(p.value),
    ...(p.lease ? { lease: ids.toWire(p.lease) } : {}),
    ...(p.prevKv ? { prev_kv: true } : {}),
  });
  const toPut = (j: Json) => ({
    header: header(j),
    ...(j.prev_kv ? { prevKv: toKv(j.prev_kv) } : {}),
  });
  const deleteBody = (d: { key: string; rangeEnd?: string; prevKv?: boolean }): Json => ({
    key: b64(d.key),
    ...(d.rangeEnd ? { range_end: b64(d.rangeEnd) } : {}),
    ...(d.prevKv ? { prev_kv: true } : {}),
  });
  const toDelete = (j: Json) => ({
    header: header(j),
    deleted: int(j.deleted),
    prevKvs: ((j.prev_kvs as unknown[]) ?? []).map(toKv),
  });

  /** Grants under an ID picked here (below 2^53); a clash with an existing lease picks again. */
  async function leaseGrant(ttl: number, id?: number) {
    for (let attempt = 0; ; attempt++) {
      const pick = id ?? 1 + Math.floor(opts.random() * (Number.MAX_SAFE_INTEGER - 1));
      try {
        const j = await call('/v3/lease/grant', { TTL: String(ttl), ID: ids.toWire(pick) }, false);
        return { header: header(j), id: ids.toNumber(j.ID), ttl: int(j.TTL) };
      } catch (err) {
        const clash = err instanceof KvError && err.code === 'FailedPrecondition';
        if (id !== undefined || !clash || attempt >= 3) throw err;
      }
    }
  }

  // ---- Watches: all of them on one stream ----
  //
  // A browser opens at most six HTTP/1.1 connections to one origin, and a streamed /v3/watch
  // holds one for as long as it runs: one stream per watch would leave a six-host lab with no
  // connection for its calls. Several create requests in one body do not work either: etcd's
  // HTTP server drops the unread rest of a body once it starts answering. So the client keeps
  // one watch on the whole keyspace, from the oldest revision any of its watches still needs,
  // and hands each watch the events in its range from its own next revision on. A new watch
  // reopens the stream (from the oldest revision again); a broken stream reopens the same way
  // on the next endpoint; either way no watch loses or repeats an event.

  interface Subscription {
    req: WatchRequest;
    /** The revision it needs next (0: "now", until the stream says which revision that is). */
    next: number;
    onResponse: (res: WatchResponse) => void;
  }
  const subscriptions = new Map<number, Subscription>();
  let nextWatchId = 1;
  /** Bumped whenever the stream is replaced; a stale stream's lines are dropped. */
  let generation = 0;
  let streamAbort: AbortController | null = null;
  let reopenQueued = false;

  const stopStream = () => {
    generation++;
    streamAbort?.abort();
    streamAbort = null;
  };
  closers.add(stopStream);

  /** Reopens the stream once the current job is done (a boot adds many watches at once). */
  function reopenSoon(): void {
    if (reopenQueued) return;
    reopenQueued = true;
    void Promise.resolve().then(() => {
      reopenQueued = false;
      stopStream();
      if (!closed && subscriptions.size > 0) void runStreams(generation);
    });
  }

  /** One generation's stream, reconnecting (next endpoint) until it is replaced. */
  async function runStreams(gen: number): Promise<void> {
    let index = pinned;
    while (gen === generation && subscriptions.size > 0) {
      const reason = await stream(gen, endpoints[index]);
      if (gen !== generation || reason === null) return;
      index = (index + 1) % endpoints.length;
      opts.onReconnect?.(endpoints[index], reason);
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** Reads one stream until it breaks (the reason) or is replaced (null). */
  async function stream(gen: number, endpoint: string): Promise<string | null> {
    const abort = new AbortController();
    streamAbort = abort;
    const subs = [...subscriptions.values()];
    const starts = subs.map((sub) => sub.next).filter((next) => next > 0);
    const from = starts.length > 0 ? Math.min(...starts) : 0;
    const create = {
      key: b64('\0'),
      range_end: b64('\0'),
      ...(from ? { start_revision: String(from) } : {}),
      ...(subs.some((sub) => sub.req.prevKv) ? { prev_kv: true } : {}),
      progress_notify: true,
    };
    let res: Response;
    try {
      res = await opts.fetch(`${endpoint}/v3/watch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ create_request: create }),
        signal: abort.signal,
      });
    } catch (err) {
      return gen !== generation ? null : err instanceof Error ? err.message : String(err);
    }
    if (!res.body) return `HTTP ${res.status}: no body`;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (gen !== generation) return null;
        if (done) return 'the stream ended';
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line && deliver(JSON.parse(line) as Json) === 'reopen') {
            reopenSoon();
            return null;
          }
          if (gen !== generation) return null;
        }
      }
    } catch (err) {
      return gen !== generation ? null : err instanceof Error ? err.message : String(err);
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /** One answer of the stream, split among the watches; 'reopen' when the stream must restart. */
  function deliver(line: Json): 'reopen' | void {
    if (line.error) throw new Error(String((line.error as Json).message ?? 'watch error'));
    const r = (line.result ?? {}) as Json;
    const h = header(r);
    if (r.canceled) {
      // Compaction: the watches that needed a compacted revision end; the others go on.
      const compactRevision = int(r.compact_revision);
      for (const [id, sub] of subscriptions) {
        if (compactRevision && (sub.next === 0 || sub.next >= compactRevision)) continue;
        subscriptions.delete(id);
        sub.onResponse({
          header: h,
          events: [],
          canceled: true,
          ...(compactRevision ? { compactRevision } : {}),
          cancelReason: compactRevision
            ? errCompacted().message
            : String(r.cancel_reason ?? 'watch canceled'),
        });
      }
      return 'reopen';
    }
    // Watches from "now" start after the revision the stream was created at.
    if (r.created) {
      for (const sub of subscriptions.values()) if (!sub.next) sub.next = h.revision + 1;
      return;
    }
    const events = ((r.events as Json[]) ?? []).map((e) => ({
      type: e.type === 'DELETE' ? ('DELETE' as const) : ('PUT' as const),
      kv: toKv(e.kv),
      ...(e.prev_kv ? { prevKv: toKv(e.prev_kv) } : {}),
    }));
    // The stream has now shown everything up to its last event (a progress notice: up to its
    // header's revision), whether or not a watch's range had any of it.
    const through = events.length > 0 ? events[events.length - 1].kv.modRevision : h.revision;
    for (const sub of [...subscriptions.values()]) {
      if (!sub.next) continue;
      if (events.length === 0) {
        sub.next = Math.max(sub.next, through + 1);
        if (sub.req.progressNotify) sub.onResponse({ header: h, events: [] });
        continue;
      }
      if (sub.next > through) continue;
      const { key, rangeEnd, prevKv } = sub.req;
      const mine = events
        .filter((e) => e.kv.modRevision >= sub.next && inRange(e.kv.key, key, rangeEnd))
        .map((e) => (prevKv || !e.prevKv ? e : { type: e.type, kv: e.kv }));
      sub.next = through + 1;
      if (mine.length > 0) sub.onResponse({ header: h, events: mine });
    }
  }

  function watch(req: WatchRequest, onResponse: (res: WatchResponse) => void) {
    const id = nextWatchId++;
    subscriptions.set(id, { req, next: req.startRevision ?? 0, onResponse });
    reopenSoon();
    return {
      cancel() {
        subscriptions.delete(id);
        if (subscriptions.size === 0) stopStream();
      },
    };
  }

  const toAlarms = (j: Json) => ({
    header: header(j),
    alarms: ((j.alarms as Json[]) ?? []).map((a) => ({
      memberId: String(a.memberID ?? '0'),
      alarm: a.alarm === 'CORRUPT' ? ('CORRUPT' as const) : ('NOSPACE' as const),
    })),
  });

  return {
    range: async (req) => toRange(await call('/v3/kv/range', rangeBody(req), true)),
    put: async (req) => toPut(await call('/v3/kv/put', putBody(req), false)),
    deleteRange: async (req) => toDelete(await call('/v3/kv/deleterange', deleteBody(req), false)),
    txn: async (req) => toTxn(await call('/v3/kv/txn', txnBody(req), false)),
    compact: async (revision) => ({
      header: header(await call('/v3/kv/compaction', { revision: String(revision) }, false)),
    }),

    leaseGrant,
    leaseRevoke: async (id) => ({
      header: header(await call('/v3/lease/revoke', { ID: ids.toWire(id) }, false)),
    }),
    async leaseKeepAlive(id) {
      const j = await call('/v3/lease/keepalive', { ID: ids.toWire(id) }, true);
      // clientv3's KeepAliveOnce: a TTL of 0 means the lease is gone.
      if (int(j.TTL) <= 0) throw errLeaseNotFound();
      return { header: header(j), id, ttl: int(j.TTL) };
    },
    async leaseTimeToLive(id, keys) {
      const j = await call('/v3/lease/timetolive', { ID: ids.toWire(id), keys: !!keys }, true);
      return {
        header: header(j),
        id,
        ttl: int(j.TTL),
        grantedTtl: int(j.grantedTTL),
        keys: ((j.keys as unknown[]) ?? []).map(unb64),
      };
    },
    async leaseList() {
      const j = await call('/v3/lease/leases', {}, true);
      const leases = ((j.leases as Json[]) ?? []).map((l) => ids.toNumber(l.ID));
      return { header: header(j), leases };
    },

    watch,

    async status() {
      const j = await call('/v3/maintenance/status', {}, true);
      return {
        header: header(j),
        version: String(j.version ?? ''),
        dbSize: int(j.dbSize),
        leader: String(j.leader ?? '0'),
        raftIndex: int(j.raftIndex),
        raftAppliedIndex: int(j.raftAppliedIndex),
        raftTerm: int(j.raftTerm),
        dbSizeInUse: int(j.dbSizeInUse),
        isLearner: j.isLearner === true,
        errors: (j.errors as string[] | undefined) ?? [],
      };
    },
    alarmList: async () => toAlarms(await call('/v3/maintenance/alarm', { action: 'GET' }, true)),
    async alarmDisarm() {
      // etcdctl's alarm disarm: the alarms listed, then each deactivated.
      const listed = toAlarms(await call('/v3/maintenance/alarm', { action: 'GET' }, true));
      for (const a of listed.alarms) {
        const body = { action: 'DEACTIVATE', memberID: a.memberId, alarm: a.alarm };
        await call('/v3/maintenance/alarm', body, false);
      }
      return listed;
    },
    async memberList() {
      const j = await call('/v3/cluster/member/list', {}, true);
      return {
        header: header(j),
        members: ((j.members as Json[]) ?? []).map((m) => ({
          id: String(m.ID ?? '0'),
          name: String(m.name ?? ''),
          peerUrls: (m.peerURLs as string[]) ?? [],
          clientUrls: (m.clientURLs as string[]) ?? [],
          isLearner: m.isLearner === true,
        })),
      };
    },

    close() {
      closed = true;
      for (const close of [...closers]) close();
      closers.clear();
    },
  };
}
