// Node has BroadcastChannel too, so the real transport is tested here, not a copy of it.
import { afterEach, describe, expect, it } from 'vitest';
import { WirePort } from '../engine/lab/wire.ts';
import { BroadcastTransport } from './broadcast-transport.ts';

const open: WirePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

function port(lab: string, host: string) {
  const p = new WirePort(new BroadcastTransport(lab, host), { now: () => 0 });
  const got: number[] = [];
  p.onReceive = (f) => got.push(f[14]);
  open.push(p);
  return { p, got };
}

function frame(dst: number[], src: number[], marker: number): Uint8Array {
  const f = new Uint8Array(60);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  f[14] = marker;
  return f;
}

const BCAST = [255, 255, 255, 255, 255, 255];
const mac = (n: number) => [0, 0x0c, 0x29, 0, 0, n];
const tick = () => new Promise((r) => setTimeout(r, 30));

describe('BroadcastTransport', () => {
  it('floods within a lab, unicasts once learned, and never crosses labs', async () => {
    const a = port('lab-a', 'node1');
    const b = port('lab-a', 'node2');
    const c = port('lab-a', 'node3');
    const other = port('lab-b', 'node2');
    a.p.transmit(frame(BCAST, mac(1), 1));
    await tick();
    expect(b.got).toEqual([1]);
    expect(c.got).toEqual([1]);
    expect(a.got).toEqual([]);
    expect(other.got).toEqual([]);
    // node1 is now known to node2: its reply goes only to node1's port channel.
    b.p.transmit(frame(mac(1), mac(2), 2));
    await tick();
    expect(a.got).toEqual([2]);
    expect(c.got).toEqual([1]);
    expect(b.p.stats.txUnicast).toBe(1);
    expect(other.got).toEqual([]);
  });
});

describe('BroadcastTransport direct ports', () => {
  it('asks once for a port to a unicast peer, then unicasts over it; floods stay on the channel', async () => {
    const ta = new BroadcastTransport('lab-d', 'node1');
    const tb = new BroadcastTransport('lab-d', 'node2');
    const a = new WirePort(ta, { now: () => 0 });
    const b = new WirePort(tb, { now: () => 0 });
    open.push(a, b);
    const gotA: number[] = [];
    const gotB: number[] = [];
    a.onReceive = (f) => gotA.push(f[14]);
    b.onReceive = (f) => gotB.push(f[14]);
    const wanted: string[] = [];
    tb.onPeerWanted = (id) => wanted.push(id);
    // Each side learns the other's MAC from a flood.
    a.transmit(frame(BCAST, mac(1), 1));
    await tick();
    b.transmit(frame(mac(1), mac(2), 2));
    b.transmit(frame(mac(1), mac(2), 3));
    await tick();
    expect(gotA).toEqual([2, 3]);
    expect(wanted).toEqual(['node1']);

    const { port1, port2 } = new MessageChannel();
    ta.connectPeer('node2', port1);
    tb.connectPeer('node1', port2);
    // Spy: nothing more may go out on node1's BroadcastChannel port once the direct port exists.
    const spy = new BroadcastChannel('flannel-playground/lab-d/port/node1');
    const overChannel: unknown[] = [];
    spy.onmessage = (e) => overChannel.push(e.data);
    b.transmit(frame(mac(1), mac(2), 4));
    a.transmit(frame(mac(2), mac(1), 5));
    await tick();
    spy.close();
    expect(gotA).toEqual([2, 3, 4]);
    expect(gotB).toEqual([1, 5]);
    expect(overChannel).toEqual([]);

    // A removed peer: back to the BroadcastChannel (and asked for again).
    tb.disconnectPeer('node1');
    b.transmit(frame(mac(1), mac(2), 6));
    await tick();
    expect(gotA).toEqual([2, 3, 4, 6]);
    expect(wanted).toEqual(['node1', 'node1']);
    ta.close();
    tb.close();
  });
});

describe('BroadcastTransport relay to other browsers', () => {
  it('sends floods both ways, and unicast to a host heard through the relay only there', async () => {
    const ta = new BroadcastTransport('lab-r', 'node1');
    const a = new WirePort(ta, { now: () => 0 });
    const b = port('lab-r', 'node2');
    open.push(a);
    const got: number[] = [];
    a.onReceive = (f) => got.push(f[14]);
    const { port1, port2 } = new MessageChannel();
    ta.connectRemote(port1);
    const relayed: Array<{ to: string; first: number }> = [];
    port2.onmessage = (e: MessageEvent) => {
      const { to, message } = e.data as { to: string; message: { bytes: ArrayBuffer } };
      relayed.push({ to, first: new Uint8Array(message.bytes)[14] });
    };
    try {
      a.transmit(frame(BCAST, mac(1), 1));
      await tick();
      // The flood reaches this browser's node2 and the relay.
      expect(b.got).toEqual([1]);
      expect(relayed).toEqual([{ to: 'flood', first: 1 }]);
      // node4, in another browser, answers through the relay.
      const reply = frame(mac(1), mac(4), 4);
      port2.postMessage({ from: 'node4', bytes: reply.buffer, lengths: [reply.length] });
      await tick();
      expect(got).toEqual([4]);
      // node1's unicast to node4 goes only to the relay, never to the BroadcastChannel.
      a.transmit(frame(mac(4), mac(1), 5));
      await tick();
      expect(relayed).toEqual([
        { to: 'flood', first: 1 },
        { to: 'node4', first: 5 },
      ]);
      expect(b.got).toEqual([1]);
    } finally {
      port2.close();
    }
  });
});
