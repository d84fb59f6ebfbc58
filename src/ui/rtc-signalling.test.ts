// Signalling between two tabs through one store (the real KV server), as two browsers do
// through a real etcd: each learns the other's hosts from the claims and reads what the other
// wrote into its inbox, old keys first, then new ones as they come.
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../engine/kv/client.ts';
import { prefixEnd } from '../engine/kv/key-range.ts';
import { KvServer } from '../engine/kv/server.ts';
import { ManualClock } from '../engine/os/clock.ts';
import { HostClaims } from '../workers/kv-host-claims.ts';
import { rtcPrefix, RtcSignalling, type Signal } from './rtc-signalling.ts';

const settle = () => new Promise((r) => setTimeout(r, 20));

function store() {
  const clock = new ManualClock();
  const kv = createKvClient(new KvServer({ clock }));
  const tab = (tabId: string) => {
    const signals: Signal[] = [];
    const tabs: Array<Record<string, string[]>> = [];
    const warnings: string[] = [];
    const s = new RtcSignalling({
      kv,
      labId: 'room',
      tabId,
      every: () => () => {},
      warn: (m) => warnings.push(m),
    });
    const claims = new HostClaims({ kv, clock: new ManualClock(), tabId });
    const open = () =>
      s.open({
        signal: (x) => signals.push(x),
        tabs: (t) => tabs.push(Object.fromEntries(t)),
      });
    return { s, claims, open, signals, tabs, warnings };
  };
  return { kv, clock, tab };
}

describe('RtcSignalling', () => {
  it('tells each tab the other tabs and their hosts, as claims come and go', async () => {
    const { tab } = store();
    const a = tab('tab-a');
    const b = tab('tab-b');
    await a.claims.claim(1);
    await a.open();
    expect(a.tabs.at(-1)).toEqual({});
    await b.claims.claim(2);
    await b.open();
    await settle();
    expect(b.tabs.at(-1)).toEqual({ 'tab-a': ['node1'] });
    expect(a.tabs.at(-1)).toEqual({ 'tab-b': ['node2', 'node3'] });
    b.claims.dispose();
    await settle();
    expect(a.tabs.at(-1)).toEqual({});
  });

  it('delivers an offer written before the tab opened, then answers and candidates live', async () => {
    const { tab } = store();
    const a = tab('tab-a');
    const b = tab('tab-b');
    await a.open();
    await a.s.send('tab-b', { kind: 'offer', epoch: 7, sdp: 'v=0 offer' });
    await a.s.send('tab-b', {
      kind: 'candidate',
      epoch: 7,
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' },
    });
    await b.open();
    // The candidate key sorts before the offer key, but comes after it.
    expect(b.signals.map((s) => s.kind)).toEqual(['offer', 'candidate']);
    expect(b.signals[0]).toEqual({ kind: 'offer', from: 'tab-a', epoch: 7, sdp: 'v=0 offer' });
    await b.s.send('tab-a', { kind: 'answer', epoch: 7, sdp: 'v=0 answer' });
    await settle();
    expect(a.signals).toEqual([{ kind: 'answer', from: 'tab-b', epoch: 7, sdp: 'v=0 answer' }]);
  });

  it('a new offer replaces the old candidates; everything goes with the tab', async () => {
    const { kv, tab } = store();
    const a = tab('tab-a');
    await a.open();
    const keys = async () =>
      (await kv.range({ key: rtcPrefix('room'), rangeEnd: prefixEnd(rtcPrefix('room')) })).kvs.map(
        (r) => r.key.slice(rtcPrefix('room').length),
      );
    const c = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' };
    await a.s.send('tab-b', { kind: 'offer', epoch: 1, sdp: 'o1' });
    for (let i = 0; i < 11; i++)
      await a.s.send('tab-b', { kind: 'candidate', epoch: 1, candidate: c });
    expect((await keys()).filter((k) => k.includes('candidate'))).toHaveLength(11);
    expect(await keys()).toContain('tab-b/tab-a/candidate/1-0010');
    await a.s.send('tab-b', { kind: 'offer', epoch: 2, sdp: 'o2' });
    expect(await keys()).toEqual(['tab-b/tab-a/offer']);
    a.s.close();
    await settle();
    expect(await keys()).toEqual([]);
  });

  it('ignores keys that are not signals, with a warning', async () => {
    const { kv, tab } = store();
    const b = tab('tab-b');
    await b.open();
    await kv.put({ key: `${rtcPrefix('room')}tab-b/tab-a/offer`, value: 'not json' });
    await kv.put({ key: `${rtcPrefix('room')}tab-b/tab-a/bogus`, value: '{"epoch":1}' });
    await settle();
    expect(b.signals).toEqual([]);
    expect(b.warnings).toHaveLength(2);
  });
});
