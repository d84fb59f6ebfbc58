// Garbage on the KV's transports: mutated copies of real messages thrown at the KV worker's
// port, at a host's client and at the lab's channel between tabs. Nothing may throw out of a
// message handler, no answer may carry JavaScript's error text, every bad message is dropped
// and counted, and the KV works afterwards. Bounded: a few thousand messages, seeded.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvClient } from '../engine/kv/client.ts';
import { KvServer } from '../engine/kv/server.ts';
import { MemoryKvStorage } from '../engine/kv/storage.ts';
import type { KvClient, WatchResponse } from '../engine/kv/types.ts';
import { seededRandom } from '../engine/lab/local-lab.ts';
import { ManualClock } from '../engine/os/clock.ts';
import { ChannelKvClient, serveKvChannel } from './kv-channel.ts';
import { serveKvPort, wrapKvPort } from './kv-remote.ts';

const MESSAGES = 3000;

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
beforeAll(() => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

/** Lets posted messages arrive (each crosses as a macrotask). */
const drain = () => new Promise((r) => setTimeout(r, 20));

/** What JavaScript says when code reads what is not there: never an etcd answer. */
const JS_INTERNALS =
  /TypeError|RangeError|Cannot read|is not a function|is not iterable|undefined|null|\[object /;

const HEADER = { clusterId: '1', memberId: '2', revision: 5, raftTerm: 2 };
const KV = { key: '/a', value: 'v', createRevision: 2, modRevision: 5, version: 2, lease: 0 };

/** Real requests, as a host sends them. */
const REQUESTS: unknown[] = [
  { t: 'call', id: 1, method: 'put', args: [{ key: '/a', value: 'v', prevKv: true }] },
  { t: 'call', id: 2, method: 'range', args: [{ key: '/a', rangeEnd: '/b', limit: 2 }] },
  {
    t: 'call',
    id: 3,
    method: 'txn',
    args: [
      {
        compare: [{ key: '/a', target: 'create', result: '=', operand: 0 }],
        success: [{ put: { key: '/a', value: 'w' } }, { range: { key: '/a' } }],
        failure: [{ txn: { compare: [], success: [{ deleteRange: { key: '/z' } }], failure: [] } }],
      },
    ],
  },
  { t: 'call', id: 4, method: 'leaseGrant', args: [60] },
  { t: 'call', id: 5, method: 'leaseTimeToLive', args: [7, true] },
  { t: 'call', id: 6, method: 'compact', args: [1] },
  { t: 'call', id: 7, method: 'deleteRange', args: [{ key: '/q', rangeEnd: '\0' }] },
  { t: 'watch', id: 8, req: { key: '/a', rangeEnd: '/b', startRevision: 1, prevKv: true } },
  { t: 'cancel', id: 8 },
];

/** Real replies, as the KV worker sends them (ids filled in by the test). */
const REPLIES: unknown[] = [
  { t: 'ok', id: 0, value: { header: HEADER, kvs: [KV], more: false, count: 1 } },
  {
    t: 'err',
    id: 0,
    error: { code: 'NotFound', message: 'etcdserver: requested lease not found' },
  },
  {
    t: 'event',
    id: 0,
    res: { header: HEADER, events: [{ type: 'PUT', kv: KV, prevKv: KV }] },
  },
];

/** Values a mutation puts in place of a field. */
function garbage(rnd: () => number): unknown {
  const deep = (n: number, leaf: unknown): unknown => {
    let v = leaf;
    for (let i = 0; i < n; i++) v = rnd() < 0.5 ? [v] : { txn: v, put: v };
    return v;
  };
  const choices: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => 0,
    () => -1,
    () => NaN,
    () => Infinity,
    () => 2 ** 60,
    () => 1.5,
    () => '',
    () => '__proto__',
    () => 'constructor',
    () => 'x'.repeat(Math.floor(rnd() * 5000)),
    () => true,
    () => [],
    () => ({}),
    () => [null, 1, 'a'],
    () => ({ key: 5, value: null }),
    () => ({ header: 1, kvs: 'no', events: [{ type: 'PUT' }] }),
    () => new Uint8Array(3),
    () => deep(1500, {}),
  ];
  return choices[Math.floor(rnd() * choices.length)]!();
}

/** A copy of `message` with one to three fields replaced, removed or added at random. */
function mutate(message: unknown, rnd: () => number): unknown {
  if (rnd() < 0.05) return garbage(rnd);
  const copy = structuredClone(message) as Record<string, unknown>;
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    // Walk down to a random object inside the message.
    let at: Record<string, unknown> = copy;
    for (;;) {
      const inner = Object.values(at).filter(
        (v) => typeof v === 'object' && v !== null && !ArrayBuffer.isView(v),
      );
      if (inner.length === 0 || rnd() < 0.4) break;
      at = inner[Math.floor(rnd() * inner.length)] as Record<string, unknown>;
    }
    const keys = Object.keys(at);
    const key =
      rnd() < 0.15
        ? ['__proto__', 'constructor', 't', 'extra'][Math.floor(rnd() * 4)]!
        : keys[Math.floor(rnd() * keys.length)];
    if (key === undefined) continue;
    if (rnd() < 0.2) delete at[key];
    else at[key] = garbage(rnd);
  }
  return copy;
}

/** Posts, skipping what structured clone itself refuses (the sender would get the throw). */
function post(target: { postMessage(m: unknown): void }, m: unknown): void {
  try {
    target.postMessage(m);
  } catch {
    // DataCloneError: never sent
  }
}

async function store(): Promise<KvClient> {
  return createKvClient(
    await KvServer.open({ clock: new ManualClock(), storage: new MemoryKvStorage() }),
  );
}

/** The KV still answers and watches through `kv`. */
async function works(kv: KvClient): Promise<void> {
  const seen: WatchResponse[] = [];
  const w = kv.watch({ key: '/after' }, (res) => seen.push(res));
  await drain();
  await kv.put({ key: '/after', value: 'ok' });
  expect((await kv.range({ key: '/after' })).kvs[0]?.value).toBe('ok');
  for (let i = 0; i < 50 && seen.length === 0; i++) await drain();
  expect(seen[0]?.events[0]?.kv.value).toBe('ok');
  w.cancel();
}

describe('the KV under garbage', () => {
  it('the KV worker drops bad requests from a host, and answers none with JS error text', async () => {
    const rnd = seededRandom(16);
    const served = await store();
    const { port1, port2 } = new MessageChannel();
    let dropped = 0;
    serveKvPort(served, port1, () => dropped++);
    const answers: { t: string; error?: { message: unknown } }[] = [];
    port2.onmessage = (e) => answers.push(e.data as never);
    for (let i = 0; i < MESSAGES; i++) {
      post(port2, mutate(REQUESTS[i % REQUESTS.length], rnd));
      if (i % 200 === 0) await drain();
    }
    await drain();
    const texts = answers.flatMap((a) => (a.t === 'err' ? [String(a.error?.message)] : []));
    expect(texts.filter((t) => JS_INTERNALS.test(t))).toEqual([]);
    expect(texts.every((t) => t.startsWith('etcdserver: '))).toBe(true);
    expect(dropped).toBeGreaterThan(MESSAGES / 2);
    expect(uncaught).toEqual([]);

    // A host's client on the same port still works.
    const kv = wrapKvPort(port2);
    await works(kv);
    port1.close();
    port2.close();
  }, 30_000);

  it("a host's client drops bad replies and keeps working", async () => {
    const rnd = seededRandom(17);
    const { port1: kvEnd, port2: hostEnd } = new MessageChannel();
    const kv = wrapKvPort(hostEnd);
    // The test plays the KV worker: every request it receives gets mutated replies.
    kvEnd.onmessage = (e) => {
      const { id } = e.data as { id: number };
      for (let n = 0; n < 3; n++) {
        const reply = structuredClone(REPLIES[Math.floor(rnd() * REPLIES.length)]) as {
          id: number;
        };
        reply.id = id;
        post(kvEnd, mutate(reply, rnd));
      }
    };
    const seen: unknown[] = [];
    kv.watch({ key: '/a' }, (res) => seen.push(res.events.length));
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < MESSAGES / 3; i++) {
      calls.push(kv.range({ key: `/k${i}` }).catch(() => undefined));
      if (i % 100 === 0) await drain();
    }
    await drain();
    expect(kv.traffic().dropped).toBeGreaterThan(0);
    expect(uncaught).toEqual([]);

    // Served by a real store from here on, the same client works.
    serveKvPort(await store(), kvEnd);
    await works(kv);
    kvEnd.close();
    hostEnd.close();
  }, 30_000);

  it("the lab's channel: the leader and a tab's client drop garbage and keep serving", async () => {
    const rnd = seededRandom(18);
    const name = `kv-fuzz-${Math.random()}`;
    let leaderDropped = 0;
    const stop = serveKvChannel(
      await store(),
      new BroadcastChannel(name),
      'leader',
      () => 1,
      () => leaderDropped++,
    );
    const tab = new ChannelKvClient(new BroadcastChannel(name), 'tab');
    await works(tab);
    const raw = new BroadcastChannel(name);
    const answers: { t: string; error?: { message: unknown } }[] = [];
    raw.onmessage = (e) => answers.push(e.data as never);
    const addressed = (m: unknown, to: string) => ({ ...(m as { t: string }), to, from: 'raw' });
    const templates = [
      { t: 'who' },
      ...REQUESTS.map((r) => addressed(r, 'leader')).map((r) => ({
        ...r,
        t: (r as { t: string }).t === 'call' ? 'req' : (r as { t: string }).t,
      })),
      { t: 'res', to: 'tab', id: 1, value: { header: HEADER, kvs: [], more: false, count: 0 } },
      { t: 'res', to: 'tab', id: 1, error: { message: 'etcdserver: x', code: 'NotFound' } },
      { t: 'created', to: 'tab', id: 1, nextRevision: 3 },
      { t: 'wres', to: 'tab', id: 1, res: { header: HEADER, events: [] } },
    ];
    for (let i = 0; i < MESSAGES; i++) {
      const m = mutate(templates[i % templates.length], rnd);
      // A forged leader announcement would only redirect the tab; keep the leader known.
      if ((m as { t?: unknown } | null)?.t === 'leader') continue;
      post(raw, m);
      if (i % 200 === 0) await drain();
    }
    await drain();
    const texts = answers.flatMap((a) =>
      a.t === 'res' && a.error ? [String(a.error.message)] : [],
    );
    expect(texts.filter((t) => JS_INTERNALS.test(t))).toEqual([]);
    expect(leaderDropped + tab.dropped).toBeGreaterThan(MESSAGES / 4);
    expect(uncaught).toEqual([]);
    await works(tab);
    stop();
    tab.close();
    raw.close();
  }, 30_000);
});
