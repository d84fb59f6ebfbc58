import { describe, expect, it } from 'vitest';
import { ROOT_NS } from '../../kernel/types.ts';
import { ManualClock } from '../../os/clock.ts';
import { MemoryFileSystem } from '../../os/fs.ts';
import { parseLabParams } from '../../lab/params.ts';
import { startFlanneld } from '../flanneld.ts';
import { addUplink, testKernel } from '../../testing/kernel.ts';
import { testKv } from '../../testing/kv.ts';
import { BACKENDS, BACKEND_TYPES, backendOfDevice } from './index.ts';

/** flanneld run to ready with `type` as the lab configures it: its log and kernel. */
async function runFlanneld(type: string, ...flags: string[]) {
  const clock = new ManualClock();
  const { kv } = testKv(clock);
  await kv.put({
    key: '/coreos.com/network/config',
    value: JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: type } }),
  });
  const kernel = await testKernel(clock);
  addUplink(kernel, 'eth0', '172.16.112.133/24', '172.16.112.2');
  const log: string[] = [];
  const fs = new MemoryFileSystem(clock);
  const ctx = { kernel, kv, fs, clock, hostname: 'node1', log: (l: string) => log.push(l) };
  const p = startFlanneld({ ...ctx, random: () => 0, pid: 9 }, [
    'flanneld',
    '--iface=eth0',
    ...flags,
  ]);
  await clock.advance(10);
  const links = kernel.linkDump(ROOT_NS).map((l) => l.name);
  p.stop();
  return { log, links };
}

/** Each backend's Run() as flannel's source logs it. */
const WATCH_LINES = {
  vxlan: 'vxlan_network.go:65] watching for new subnet leases',
  'host-gw': 'route_network.go:55] Watching for new subnet leases',
  udp: 'udp_network_amd64.go:100] Watching for new subnet leases',
};

describe('the backend registry', () => {
  it.each(BACKEND_TYPES)('describes what %s does: its device and its watch line', async (type) => {
    const entry = BACKENDS[type];
    const { log, links } = await runFlanneld(type);
    expect(log.some((l) => l.endsWith(WATCH_LINES[type]))).toBe(true);
    const devices = links.filter((name) => backendOfDevice(name));
    expect(devices).toEqual(entry.device ? [entry.device] : []);
  });

  it("logs a failing create() where flannel fails: host-gw's in New", async () => {
    const { log } = await runFlanneld('host-gw', '--public-ip=192.0.2.1');
    expect(log.at(-1)).toMatch(/main\.go:353\] Error fetching backend: your PublicIP differs/);
  });

  it('is what the lab URL accepts', () => {
    for (const type of BACKEND_TYPES)
      expect(parseLabParams(`?backend=${type}`).config.backend).toBe(type);
    expect(parseLabParams('?backend=ipip').errors).toEqual([
      'backend=ipip: unknown backend type (use vxlan, host-gw or udp)',
    ]);
  });
});
