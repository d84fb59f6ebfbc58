// Issue 2's acceptance: the seeds' three hosts, built from the kernel and the programs alone,
// print what real Linux printed (tests/golden/linux/), and their captures decode in tshark.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalLab } from '../../src/engine/lab/local-lab.ts';
import { buildSeedLab, golden, goldenSections, maskMacs, type SeedMode } from './seed-lab.ts';

/**
 * What differs between our host and the oracle's for reasons of setup, not of behaviour: the
 * oracle's NIC is a veth into a wire namespace (`eth0@if4 ... link-netns flw`, veth details),
 * ours is a NIC; peers' ifindexes; bridge timers, which run on their own.
 */
function normaliseTables(text: string): string {
  const blocks = maskMacs(text).split(/(?=^\d+: )/m);
  return blocks
    .map((block) => {
      if (!/^\d+: eth0[@:]/.test(block)) return block;
      const [head, link] = block.split('\n');
      return `${head.replace(/^(\d+): eth0@if\d+:/, '$1: eth0:')}\n${link.replace(/ link-netns flw| promiscuity.*/g, '')}\n`;
    })
    .join('')
    .replace(/(_timer) +[\d.]+/g, '$1 T')
    .replace(/@if\d+/g, '@ifN')
    .replace(/(vxlan id .*tso_max_size) \d+/, '$1 N'); // inherited from the NIC, a veth there
}

/** ping's times are the lab's, not the oracle machine's. */
function normalisePing(text: string): string {
  return text
    .replace(/time=[\d.]+ ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Nms')
    .replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, 'rtt = T');
}

/** tcpdump text: timestamps, IP ids, ICMP ids, UDP source ports and MACs are random by nature. */
function normaliseTcpdump(text: string): string {
  return (
    maskMacs(text)
      .split('\n')
      // The kernel has no IGMP yet: the bridge's unsolicited IGMPv3 report is not sent.
      .filter((l) => !/igmp/i.test(l))
      .join('\n')
      .replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, 'TS ')
      .replace(/\bid \d+, seq/g, 'id N, seq')
      .replace(/\bid \d+, offset/g, 'id N, offset')
      .replace(/(\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+\.8472)/g, '$1.P > $2')
      .replace(/\[bad udp cksum 0x[0-9a-f]+ -> 0x[0-9a-f]+!\]|\[udp sum ok\]/g, '[udp cksum]')
  );
}

const TABLE_COMMANDS = ['ip route', 'ip addr', 'ip -d link show', 'ip neigh', 'bridge fdb show'];

function tsharkOnce(pcap: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'fp-'));
  const file = join(dir, 'x.pcap');
  writeFileSync(file, pcap);
  return execFileSync(
    'tshark',
    [
      '-r',
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
      'frame.protocols',
      '-e',
      'vxlan.vni',
      '-e',
      'icmp.type',
      '-e',
      '_ws.expert.message',
    ],
    { encoding: 'utf8' },
  );
}

/** tshark, once more if it printed nothing: its first start under load can come back empty. */
function tshark(pcap: Uint8Array): string {
  const out = tsharkOnce(pcap);
  return out.trim() === '' ? tsharkOnce(pcap) : out;
}

/** What the oracle captured on host2 for each mode, and the pings it ran meanwhile. */
const SCENARIOS: Record<SeedMode, { devices: string[]; pings: string[]; tables: string[] }> = {
  vxlan: {
    devices: ['eth0', 'cni0', 'flannel.1'],
    pings: [
      'ping -c 3 -i 0.2 10.244.2.2',
      'ping -c 2 -s 1500 -M do 10.244.2.2',
      'ping -c 1 10.244.9.9 -W 1',
    ],
    tables: TABLE_COMMANDS.concat('ip route get 10.244.2.2'),
  },
  'host-gw': {
    devices: ['eth0', 'cni0'],
    pings: [
      'ping -c 3 -i 0.2 10.244.2.2',
      'ping -c 2 -s 1500 -M do 10.244.2.2',
      'ping -c 1 10.244.9.9 -W 1',
    ],
    tables: TABLE_COMMANDS.concat('ip route get 10.244.2.2'),
  },
  udp: {
    devices: ['eth0', 'cni0', 'flannel0'],
    pings: ['ping -c 3 -i 0.2 10.244.2.2'],
    tables: [
      'ip route',
      'ip addr show flannel0',
      'ip -d link show flannel0',
      'ip route get 10.244.2.2',
    ],
  },
};

describe.each(['vxlan', 'host-gw', 'udp'] as const)('seed lab: %s', (mode) => {
  const scenario = SCENARIOS[mode];
  let lab: LocalLab;
  const captures = new Map<string, string>();
  const tables = new Map<string, string>();
  beforeAll(async () => {
    lab = await buildSeedLab(mode);
    // The oracle records the tables before any traffic (no ARP entries for eth0 or cni0 yet).
    for (const cmd of scenario.tables) tables.set(cmd, (await lab.run('node2', cmd)).stdout);
    const running = scenario.devices.map((dev) =>
      lab.start('node2', `tcpdump -i ${dev} -n -w /tmp/${dev}.pcap`),
    );
    await lab.advance(1000);
    let out = '';
    for (const line of scenario.pings)
      out += (await lab.run('node2', `ip netns exec flp2 ${line}`)).output;
    captures.set('ping', out);
    await lab.advance(1000);
    running.forEach((r) => r.interrupt());
    await lab.advance(10);
    for (const r of running) expect((await r.done).status).toBe(0);
    for (const dev of scenario.devices) {
      for (const flags of ['-n', '-n -vv -e']) {
        const r = await lab.run('node2', `tcpdump ${flags} -r /tmp/${dev}.pcap`);
        captures.set(`${flags} ${dev}`, r.stdout);
      }
    }
  });

  it('pings pod to pod with ttl 62, and fails as Linux does', () => {
    // The udp golden comes from the oracle's relay, which does not touch TTLs (flanneld's does).
    expect(normalisePing(captures.get('ping')!)).toBe(normalisePing(golden(`ping-${mode}.txt`)));
  });

  it.each(scenario.tables)('%s matches the golden', (cmd) => {
    const want = goldenSections(`tables-${mode}.txt`).get(`${cmd} (host2)`);
    expect(normaliseTables(tables.get(cmd)!)).toBe(normaliseTables(want ?? '<missing golden>'));
  });

  it.each(scenario.devices)('tcpdump on %s prints what real tcpdump printed', (dev) => {
    expect(normaliseTcpdump(captures.get(`-n ${dev}`)!)).toBe(
      normaliseTcpdump(golden(`tcpdump-${mode}-${dev}.txt`)),
    );
    expect(normaliseTcpdump(captures.get(`-n -vv -e ${dev}`)!)).toBe(
      normaliseTcpdump(golden(`tcpdump-vv-${mode}-${dev}.txt`)),
    );
  });

  it.each(scenario.devices)(
    'the %s pcap decodes in tshark with no malformed frame or bad checksum',
    (dev) => {
      const rows = tshark(lab.host('node2').fs.readFile(`/tmp/${dev}.pcap`))
        .trim()
        .split('\n');
      // On the udp backend's eth0 the pods' packets are UDP 8285 payload, opaque to tshark.
      const carried = rows.filter((r) =>
        mode === 'udp' && dev === 'eth0' ? r.includes(':udp') : r.split('|')[2] !== '',
      );
      expect(carried.length).toBeGreaterThanOrEqual(6);
      for (const row of rows) {
        const [protocols, vni, , expert] = row.split('|');
        expect(expert ?? '').not.toMatch(/malformed|incorrect|bad/i);
        if (mode === 'vxlan' && dev === 'eth0' && protocols.includes(':udp:')) {
          expect(protocols).toMatch(/eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp/);
          expect(vni).toBe('1');
        }
      }
      if (mode === 'vxlan' && dev === 'eth0')
        expect(rows.filter((r) => r.includes(':vxlan:'))).toHaveLength(6);
    },
  );
});
