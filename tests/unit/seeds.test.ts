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

async function comparePing(lab: LocalLab, mode: SeedMode, lines: string[]): Promise<void> {
  let out = '';
  for (const line of lines) out += (await lab.run('node2', `ip netns exec flp2 ${line}`)).output;
  expect(normalisePing(out)).toBe(normalisePing(golden(`ping-${mode}.txt`)));
}

function tshark(pcap: Uint8Array): string {
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

describe('seed lab: vxlan', () => {
  let lab: LocalLab;
  const captures = new Map<string, string>();
  const tables = new Map<string, string>();
  beforeAll(async () => {
    lab = await buildSeedLab('vxlan');
    // The oracle records the tables before any traffic (no ARP entries for eth0 or cni0 yet).
    for (const cmd of TABLE_COMMANDS) tables.set(cmd, (await lab.run('node2', cmd)).stdout);
    const running = ['eth0', 'cni0', 'flannel.1'].map((dev) =>
      lab.start('node2', `tcpdump -i ${dev} -n -w /tmp/${dev}.pcap`),
    );
    await lab.advance(1000);
    await comparePing(lab, 'vxlan', [
      'ping -c 3 -i 0.2 10.244.2.2',
      'ping -c 2 -s 1500 -M do 10.244.2.2',
      'ping -c 1 10.244.9.9 -W 1',
    ]);
    await lab.advance(1000);
    running.forEach((r) => r.interrupt());
    await lab.advance(10);
    for (const r of running) expect((await r.done).status).toBe(0);
    for (const dev of ['eth0', 'cni0', 'flannel.1']) {
      for (const flags of ['-n', '-n -vv -e']) {
        const r = await lab.run('node2', `tcpdump ${flags} -r /tmp/${dev}.pcap`);
        captures.set(`${flags} ${dev}`, r.stdout);
      }
    }
  });

  it('pings pod to pod with ttl 62, and fails as Linux does for big and unroutable pings', () => {
    // comparePing ran in beforeAll, against golden/linux/ping-vxlan.txt
    expect(captures.size).toBe(6);
  });

  it.each(TABLE_COMMANDS.concat('ip route get 10.244.2.2'))(
    '%s matches the golden',
    async (cmd) => {
      const want = goldenSections('tables-vxlan.txt').get(`${cmd} (host2)`);
      const got = tables.get(cmd) ?? (await lab.run('node2', cmd)).stdout;
      expect(normaliseTables(got)).toBe(normaliseTables(want ?? '<missing golden>'));
    },
  );

  it.each(['eth0', 'cni0', 'flannel.1'])(
    'tcpdump on %s prints what real tcpdump printed',
    (dev) => {
      expect(normaliseTcpdump(captures.get(`-n ${dev}`)!)).toBe(
        normaliseTcpdump(golden(`tcpdump-vxlan-${dev}.txt`)),
      );
      expect(normaliseTcpdump(captures.get(`-n -vv -e ${dev}`)!)).toBe(
        normaliseTcpdump(golden(`tcpdump-vv-vxlan-${dev}.txt`)),
      );
    },
  );

  it('writes pcaps that tshark decodes: VNI 1, inner ICMP, no malformed frame or bad checksum', () => {
    const pcap = lab.host('node2').fs.readFile('/tmp/eth0.pcap');
    const rows = tshark(pcap).trim().split('\n');
    const vxlan = rows.filter((r) => r.includes(':vxlan:'));
    expect(vxlan.length).toBe(6);
    for (const row of vxlan) {
      const [protocols, vni, icmpType, expert] = row.split('|');
      expect(protocols).toMatch(/eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp/);
      expect(vni).toBe('1');
      expect(['0', '8']).toContain(icmpType);
      expect(expert ?? '').not.toMatch(/malformed|incorrect|bad/i);
    }
    expect(tshark(pcap)).not.toMatch(/Malformed|incorrect/i);
  });
});

describe('seed lab: host-gw', () => {
  let lab: LocalLab;
  const tables = new Map<string, string>();
  beforeAll(async () => {
    lab = await buildSeedLab('host-gw');
    for (const cmd of TABLE_COMMANDS) tables.set(cmd, (await lab.run('node2', cmd)).stdout);
  });

  it('pings pod to pod with ttl 62', async () => {
    await comparePing(lab, 'host-gw', [
      'ping -c 3 -i 0.2 10.244.2.2',
      'ping -c 2 -s 1500 -M do 10.244.2.2',
      'ping -c 1 10.244.9.9 -W 1',
    ]);
  });

  it.each(TABLE_COMMANDS.concat('ip route get 10.244.2.2'))(
    '%s matches the golden',
    async (cmd) => {
      const want = goldenSections('tables-host-gw.txt').get(`${cmd} (host2)`);
      const got = tables.get(cmd) ?? (await lab.run('node2', cmd)).stdout;
      expect(normaliseTables(got)).toBe(normaliseTables(want ?? '<missing golden>'));
    },
  );
});

describe('seed lab: udp (TUN flannel0 and a userspace relay)', () => {
  let lab: LocalLab;
  beforeAll(async () => {
    lab = await buildSeedLab('udp');
  });

  it('pings pod to pod through flannel0', async () => {
    await comparePing(lab, 'udp', ['ping -c 3 -i 0.2 10.244.2.2']);
  });

  it.each([
    'ip route',
    'ip addr show flannel0',
    'ip -d link show flannel0',
    'ip route get 10.244.2.2',
  ])('%s matches the golden', async (cmd) => {
    const want = goldenSections('tables-udp.txt').get(`${cmd} (host2)`);
    const got = await lab.run('node2', cmd);
    expect(normaliseTables(got.stdout)).toBe(normaliseTables(want ?? '<missing golden>'));
  });
});
