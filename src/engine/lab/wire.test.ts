import { describe, expect, it } from 'vitest';
import { MemoryHub, RX_MAX_LAG_MS, RX_RING_FRAMES, TX_QUEUE_LEN, WirePort } from './wire.ts';
import { settle } from '../os/clock.ts';

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function mac(n: number): string {
  return `00:0c:29:00:00:${n.toString(16).padStart(2, '0')}`;
}

/** An Ethernet frame: dst, src, ethertype 0x0800 and a payload marker byte. */
function frame(dst: string, src: string, marker = 0): Uint8Array {
  const bytes = new Uint8Array(60);
  dst.split(':').forEach((h, i) => (bytes[i] = parseInt(h, 16)));
  src.split(':').forEach((h, i) => (bytes[6 + i] = parseInt(h, 16)));
  bytes[12] = 0x08;
  bytes[14] = marker;
  return bytes;
}

function lab(n: number, now = () => 0) {
  const hub = new MemoryHub();
  const received = new Map<string, number[]>();
  const ports = Array.from({ length: n }, (_, i) => {
    const id = `node${i + 1}`;
    const port = new WirePort(hub.connect(id), { now: () => now() });
    received.set(id, []);
    port.onReceive = (f) => received.get(id)!.push(f[14]);
    return port;
  });
  return { hub, ports, received };
}

describe('WirePort learning switch', () => {
  it('floods broadcasts to every other port, never back to the sender', async () => {
    const { ports, received, hub } = lab(3);
    ports[0].transmit(frame(BROADCAST, mac(1), 7));
    await settle();
    expect(received.get('node1')).toEqual([]);
    expect(received.get('node2')).toEqual([7]);
    expect(received.get('node3')).toEqual([7]);
    expect(hub.deliveries.sort()).toEqual(['node1->node2', 'node1->node3']);
  });

  it('floods unknown unicast, then sends only to the learned port', async () => {
    const { ports, received, hub } = lab(3);
    // node2 has not spoken yet: a frame to its MAC floods.
    ports[0].transmit(frame(mac(2), mac(1), 1));
    await settle();
    expect(received.get('node3')).toEqual([1]);
    // node2 answers; node1 learns that mac(2) lives behind port node2.
    ports[1].transmit(frame(mac(1), mac(2), 2));
    await settle();
    expect(received.get('node1')).toEqual([2]);
    hub.deliveries.length = 0;
    ports[0].transmit(frame(mac(2), mac(1), 3));
    await settle();
    expect(hub.deliveries).toEqual(['node1->node2']);
    expect(received.get('node2')).toEqual([1, 3]);
    expect(received.get('node3')).toEqual([1]);
    expect(ports[0].stats.txUnicast).toBe(1);
    expect(ports[0].stats.txFlooded).toBe(1);
  });

  it('forgets a MAC after the ageing time and floods again', async () => {
    let t = 0;
    const { ports, hub } = lab(3, () => t);
    ports[1].transmit(frame(BROADCAST, mac(2)));
    await settle();
    expect(ports[0].macEntries()).toEqual([{ mac: '000c29000002', port: 'node2', ageMs: 0 }]);
    t = 299_999;
    hub.deliveries.length = 0;
    ports[0].transmit(frame(mac(2), mac(1)));
    await settle();
    expect(hub.deliveries).toEqual(['node1->node2']);
    t = 300_000 + 299_999 + 1;
    // node1's own transmit does not refresh what it learned about node2.
    hub.deliveries.length = 0;
    ports[0].transmit(frame(mac(2), mac(1)));
    await settle();
    expect(hub.deliveries.sort()).toEqual(['node1->node2', 'node1->node3']);
  });

  it('batches the frames of one turn into one message per destination', async () => {
    const { ports, received } = lab(2);
    for (let i = 0; i < 32; i++) ports[0].transmit(frame(BROADCAST, mac(1), i));
    expect(received.get('node2')).toEqual([]);
    await settle();
    expect(received.get('node2')).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(ports[0].stats.txMessages).toBe(1);
    expect(ports[1].stats.rxMessages).toBe(1);
    expect(ports[1].stats.rxFrames).toBe(32);
  });

  it('copies the frame: the caller may reuse its buffer at once', async () => {
    const { ports, received } = lab(2);
    const f = frame(BROADCAST, mac(1), 5);
    ports[0].transmit(f);
    f[14] = 99;
    await settle();
    expect(received.get('node2')).toEqual([5]);
  });

  it('drops malformed messages and frames instead of crashing', async () => {
    const hub = new MemoryHub();
    const port = new WirePort(hub.connect('node1'), { now: () => 0 });
    const seen: Uint8Array[] = [];
    port.onReceive = (f) => seen.push(f);
    const evil = hub.connect('evil');
    const good = frame(BROADCAST, mac(9));
    for (const m of [
      null,
      42,
      'x',
      { from: 1, bytes: new ArrayBuffer(60), lengths: [60] },
      { from: 'evil' },
      { from: 'evil', bytes: [1, 2, 3], lengths: [3] },
    ]) {
      evil.send('node1', m as never);
    }
    // Too short, too long, then a good frame, then a length past the end (which ends the batch).
    const bytes = new Uint8Array(3 + 20000 + good.length);
    bytes.set(good, 3 + 20000);
    evil.send('node1', {
      from: 'evil',
      bytes: bytes.buffer,
      lengths: [3, 20000, good.length, 100, 60],
    });
    evil.send('node1', { from: 'evil', bytes: new ArrayBuffer(60), lengths: ['x' as never] });
    await settle();
    expect(seen.length).toBe(1);
    expect(port.stats.rxMalformed).toBe(6 + 3 + 1);
  });

  it('does not learn multicast source MACs', async () => {
    const { ports } = lab(2);
    ports[1].transmit(frame(BROADCAST, '01:00:5e:00:00:01'));
    await settle();
    expect(ports[0].macEntries()).toEqual([]);
  });
});

describe('WirePort back-pressure', () => {
  it('queues txqueuelen frames a turn and drops the rest, as a full qdisc', async () => {
    const { ports, received } = lab(2);
    const accepted = Array.from({ length: TX_QUEUE_LEN + 5 }, () =>
      ports[0].transmit(frame(BROADCAST, mac(1), 1)),
    );
    expect(accepted.filter((a) => !a).length).toBe(5);
    expect(ports[0].stats.txDropped).toBe(5);
    await settle();
    expect(received.get('node2')!.length).toBe(TX_QUEUE_LEN);
    // The next turn has room again.
    expect(ports[0].transmit(frame(BROADCAST, mac(1), 2))).toBe(true);
  });

  it('drops unread what comes too late once a ring of late frames was taken', async () => {
    const hub = new MemoryHub();
    let real = 1_000_000;
    const sender = new WirePort(hub.connect('a'), { now: () => 0, realNow: () => real });
    const receiver = new WirePort(hub.connect('b'), { now: () => 0, realNow: () => real });
    let got = 0;
    const dropped: number[] = [];
    receiver.onReceive = () => got++;
    receiver.onRxDropped = (n) => dropped.push(n);
    const send = (n: number) => {
      for (let i = 0; i < n; i++) sender.transmit(frame(BROADCAST, mac(1), 1));
      sender.flush();
    };
    // A stall under light traffic: late, but far from a ring's worth, so kept.
    send(3);
    real += RX_MAX_LAG_MS + 1;
    await settle();
    expect([got, dropped]).toEqual([3, []]);
    // A flood the receiver is behind on: a ring's worth taken, the rest dropped.
    for (let i = 0; i < RX_RING_FRAMES / 500 + 2; i++) send(500);
    real += RX_MAX_LAG_MS + 1;
    await settle();
    expect(got).toBe(3 + RX_RING_FRAMES);
    expect(dropped).toEqual([500, 500]);
    expect(receiver.stats.rxDropped).toBe(1000);
    // Caught up: a timely message is taken again.
    send(1);
    await settle();
    expect(got).toBe(3 + RX_RING_FRAMES + 1);
  });
});
