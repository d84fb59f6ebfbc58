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
