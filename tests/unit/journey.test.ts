// Issue 13's journey, end to end on real kernels: a pod-to-pod ping traced on every host of a
// three-node lab, under each backend; the hops, TTLs, encapsulation and the kernel's own
// decisions; and the journey's pcapng read back by tshark.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyPcapng, type Journey, type JourneyEvent } from '../../src/engine/lab/journey.ts';
import type { Backend } from '../../src/engine/lab/node-setup.ts';
import { EthernetFrame } from '../../src/engine/packet/ethernet.ts';
import { Ipv4Packet } from '../../src/engine/packet/ipv4.ts';
import { UdpPacket } from '../../src/engine/packet/udp.ts';
import { VxlanPacket } from '../../src/engine/packet/vxlan.ts';
import { packetTree, treeDiff } from '../../src/engine/packet/tree.ts';
import { sh, threeNodeLab, type FlannelLab } from './flannel-lab.ts';

async function podIp(fl: FlannelLab, host: string): Promise<string> {
  const out = await sh(fl, host, 'ip netns exec pod1 ip -4 -o addr show eth0');
  return out.match(/inet (\S+)\//)![1];
}

/** Traces `ip netns exec pod1 ping -c 1 <node3's pod>` on node2. */
async function tracePing(backend: Backend): Promise<{ fl: FlannelLab; journey: Journey }> {
  const fl = await threeNodeLab(backend);
  const dst = await podIp(fl, 'node3');
  fl.lab.journeyStart();
  const r = await fl.lab.run('node2', `ip netns exec pod1 ping -c 1 ${dst}`);
  expect(r.status).toBe(0);
  return { fl, journey: fl.lab.journeyStop() };
}

/** The events of the packet whose label starts with `what`. */
function packetEvents(j: Journey, what: string): JourneyEvent[] {
  const p = j.packets.find((x) => x.label.startsWith(what));
  expect(p, what).toBeDefined();
  return j.events.filter((e) => e.packet === p!.id);
}

/** `node2 pod eth0 out`, with veth names made generic. */
function hop(e: JourneyEvent): string {
  const ifname = e.ifname.startsWith('veth') ? 'veth' : e.ifname;
  return `${e.host} ${e.ns ? 'pod ' : ''}${ifname} ${e.direction}`;
}

const OVERLAY: Record<Backend, string> = { vxlan: 'flannel.1', udp: 'flannel0', 'host-gw': '' };

function expectedHops(backend: Backend, from: string, to: string): string[] {
  const dev = OVERLAY[backend];
  const there = [`${from} pod eth0 out`, `${from} veth in`, `${from} cni0 in`];
  if (dev) there.push(`${from} ${dev} out`);
  there.push(`${from} eth0 out`, `${to} eth0 in`);
  if (dev) there.push(`${to} ${dev} in`);
  there.push(`${to} cni0 out`, `${to} veth out`, `${to} pod eth0 in`);
  return there;
}

const TTLS: Record<Backend, number[]> = {
  vxlan: [64, 64, 64, 63, 63, 63, 63, 62, 62, 62],
  'host-gw': [64, 64, 64, 63, 63, 62, 62, 62],
  // flanneld's proxy takes one off on each side, as flannel's udp backend does.
  udp: [64, 64, 64, 63, 62, 62, 61, 60, 60, 60],
};

function udpOf(e: JourneyEvent): UdpPacket {
  const ip = Ipv4Packet.checked(EthernetFrame.checked(e.data).payload);
  return UdpPacket.checked(ip.payload);
}

describe('the packet journey of a pod-to-pod ping', () => {
  for (const backend of ['vxlan', 'host-gw', 'udp'] as const) {
    it(`${backend}: every hop in order, both ways, with the inner TTL`, async () => {
      const { journey } = await tracePing(backend);
      const request = packetEvents(journey, 'ICMP echo request');
      const reply = packetEvents(journey, 'ICMP echo reply');
      expect(request.map(hop)).toEqual(expectedHops(backend, 'node2', 'node3'));
      expect(reply.map(hop)).toEqual(expectedHops(backend, 'node3', 'node2'));
      expect(request.map((e) => e.innerTtl)).toEqual(TTLS[backend]);
      expect(reply.map((e) => e.innerTtl)).toEqual(TTLS[backend]);
      // The request comes before its reply, and the merged list is in causal order.
      expect(request.at(-1)!.index).toBeLessThan(reply[0].index);
      const times = journey.events.map((e) => e.time);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const wire = request.filter((e) => e.ifname === 'eth0' && !e.ns);
      if (backend === 'vxlan') {
        for (const e of wire) {
          expect(udpOf(e).dstPort).toBe(8472);
          expect(VxlanPacket.checked(udpOf(e).payload).vni).toBe(1);
          expect(e.wrapping).toEqual(['vxlan']);
        }
      } else if (backend === 'udp') {
        for (const e of wire) expect(udpOf(e).dstPort).toBe(8285);
      } else {
        for (const e of wire) expect(e.wrapping).toEqual([]);
      }
    });
  }

  it('vxlan: the kernel says why at each hop, as ip route, ip neigh and bridge fdb print it', async () => {
    const { fl, journey } = await tracePing('vxlan');
    const request = packetEvents(journey, 'ICMP echo request');
    const at = (h: string) => request.find((e) => hop(e) === h)!;
    const node3Subnet = (await sh(fl, 'node3', 'cat /run/flannel/subnet.env')).match(
      /FLANNEL_SUBNET=(\d+\.\d+\.\d+)\.1\/24/,
    )![1];
    const vtep3 = fl.lab.host('node3').kernel.linkGet('', 'flannel.1').address;
    const toFlannel = at('node2 flannel.1 out').why;
    expect(toFlannel).toContain(
      `ip route: ${node3Subnet}.0/24 via ${node3Subnet}.0 dev flannel.1 onlink`,
    );
    expect(toFlannel).toContain(
      `ip neigh: ${node3Subnet}.0 dev flannel.1 lladdr ${vtep3} PERMANENT`,
    );
    const toWire = at('node2 eth0 out').why;
    expect(toWire).toContain(`bridge fdb: ${vtep3} dev flannel.1 dst 172.16.112.13 self permanent`);
    expect(
      toWire.some((w) => /^encapsulated by flannel\.1: VXLAN VNI 1 in UDP \d+ > 8472/.test(w)),
    ).toBe(true);
    expect(at('node3 flannel.1 in').why).toContain(
      'decapsulated by flannel.1: VXLAN VNI 1 from 172.16.112.12',
    );
    expect(
      at('node3 veth out').why.some((w) => /^bridge cni0: forwarded to port veth/.test(w)),
    ).toBe(true);
    expect(
      at('node3 pod eth0 in').why.some((w) => w.startsWith('delivered: ICMP echo request')),
    ).toBe(true);
  });

  it("records a drop with the kernel's reason", async () => {
    const fl = await threeNodeLab('host-gw');
    await sh(fl, 'node3', 'ip route del 10.244.0.0/16 2>/dev/null; true');
    const dst = await podIp(fl, 'node3');
    // TTL 2 expires on node3, after node2 took one off.
    fl.lab.journeyStart();
    await fl.lab.run('node2', `ip netns exec pod1 ping -c 1 -t 2 -W 1 ${dst}`);
    const journey = fl.lab.journeyStop();
    const last = packetEvents(journey, 'ICMP echo request').at(-1)!;
    expect(hop(last)).toBe('node3 eth0 in');
    expect(last.why).toContain('dropped: ip: ttl exceeded');
  });
});

function tshark(file: string, ...args: string[]): string {
  return execFileSync('tshark', ['-r', file, ...args], { encoding: 'utf8' });
}

describe('the journey as pcapng', () => {
  it('opens in tshark: one interface per (host, interface), every frame, no expert errors', async () => {
    const { journey } = await tracePing('vxlan');
    const dir = mkdtempSync(join(tmpdir(), 'fp-journey-'));
    const file = join(dir, 'journey.pcapng');
    writeFileSync(file, journeyPcapng(journey.events));
    const names = [...new Set(journey.events.map((e) => e.iface))];
    expect(names).toContain('node2/flannel.1');
    expect(names).toContain('node3/pod1/eth0');
    const fields = tshark(
      file,
      '-d',
      'udp.port==8472,vxlan',
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-e',
      'frame.interface_name',
      '-e',
      'frame.packet_flags_direction',
      '-e',
      'frame.comment',
      '-e',
      'vxlan.vni',
      '-e',
      '_ws.expert.severity',
      '-e',
      '_ws.malformed',
    )
      .trim()
      .split('\n');
    expect(fields).toHaveLength(journey.events.length);
    const rows = fields.map((l) => l.split('|'));
    expect(rows.map((r) => r[0])).toEqual(journey.events.map((e) => e.iface));
    expect(rows.map((r) => r[1])).toEqual(
      journey.events.map((e) => (e.direction === 'in' ? '0x00000001' : '0x00000002')),
    );
    // No expert info of error severity (8388608), nothing malformed.
    for (const r of rows) {
      expect(r[4].split(',')).not.toContain('8388608');
      expect(r[5]).toBe('');
    }
    const wire = journey.events.findIndex((e) => e.iface === 'node2/eth0' && e.wrapping.length);
    expect(rows[wire][3]).toBe('1');
    expect(rows[wire][2]).toMatch(/encapsulated by flannel\.1/);
    const ifaces = tshark(file, '-q', '-z', 'io,phs');
    expect(ifaces).not.toMatch(/malformed/i);
  });
});

describe('trace', () => {
  it('runs the command with every host recording and prints the journey', async () => {
    const fl = await threeNodeLab('vxlan');
    const dst = await podIp(fl, 'node3');
    const r = await fl.lab.run('node2', `trace ip netns exec pod1 ping -c 1 ${dst}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 packets transmitted, 1 received/);
    const lines = r.stdout.slice(r.stdout.indexOf('--- packet journey')).split('\n');
    expect(lines[0]).toBe(`--- packet journey: ${fl.lab.lastJourney!.events.length} frames ---`);
    expect(
      lines.some((l) => / node3 pod1\/eth0 In {2}IP \S+ > \S+: ICMP echo request/.test(l)),
    ).toBe(true);
    expect(
      lines.some((l) =>
        / node2 eth0 Out IP 172\.16\.112\.12\.\d+ > 172\.16\.112\.13\.8472: OTV/.test(l),
      ),
    ).toBe(true);
  });

  it('says how to use it', async () => {
    const fl = await threeNodeLab('vxlan');
    const r = await fl.lab.run('node1', 'trace');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("trace: missing command\nTry 'trace --help' for more information.\n");
  });
});

describe('the header inspector tree', () => {
  it('nests a VXLAN frame as Wireshark does and marks what changed since the last hop', async () => {
    const { journey } = await tracePing('vxlan');
    const request = packetEvents(journey, 'ICMP echo request');
    const hopAt = (h: string) => request.find((e) => hop(e) === h)!;
    const tree = (e: JourneyEvent) => packetTree(e.data, e.linktype);
    const wire = tree(hopAt('node2 eth0 out'));
    expect(wire.map((l) => `${l.proto}${l.depth}`)).toEqual([
      'eth0',
      'ip0',
      'udp0',
      'vxlan0',
      'eth1',
      'ip1',
      'icmp1',
    ]);
    const vni = wire[3].fields.find((f) => f.name.startsWith('VXLAN Network Identifier'))!;
    expect(vni.value).toBe('1');
    // The VNI's bytes: 3 bytes at offset 4 of the VXLAN header (14 + 20 + 8 into the frame).
    expect([vni.start, vni.end]).toEqual([46, 49]);
    const encap = treeDiff(tree(hopAt('node2 flannel.1 out')), wire);
    expect([...encap.added].map((i) => wire[i].proto)).toEqual(['eth', 'ip', 'udp', 'vxlan']);
    const routed = tree(hopAt('node2 flannel.1 out'));
    const fwd = treeDiff(tree(hopAt('node2 cni0 in')), routed);
    const changed = [...fwd.changed].map((k) => {
      const [i, f] = k.split('/').map(Number);
      return routed[i].fields[f].name;
    });
    expect(changed).toEqual(
      expect.arrayContaining(['Destination', 'Source', 'Time to Live', 'Header Checksum']),
    );
    const decap = treeDiff(wire, tree(hopAt('node3 flannel.1 in')));
    expect(decap.removed).toEqual([
      'Ethernet II',
      'Internet Protocol Version 4',
      'User Datagram Protocol',
      'Virtual eXtensible Local Area Network',
    ]);
  });
});
