import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import { ROOT_NS } from '../kernel/types.ts';
import { addUplink, testKernel } from '../testing/kernel.ts';
import { cniAdd, cniDel, delegateConfig, goMapJson, installConflist } from './cni.ts';
import { parseIp4Net } from '../flannel/ip4.ts';

const ENV =
  'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n';

async function setup(env = ENV) {
  const clock = new ManualClock();
  const fs = new MemoryFileSystem(clock);
  fs.mkdir('/run/flannel', { recursive: true });
  fs.writeFile('/run/flannel/subnet.env', env);
  installConflist(fs);
  const kernel = await testKernel(clock);
  addUplink(kernel, 'eth0', '172.16.112.133/24');
  let n = 0;
  const ctx = { kernel, fs, random: () => ((n++ * 7) % 16) / 16 };
  return { fs, kernel, ctx };
}

describe('flannel CNI plugin', () => {
  it('builds the delegate config flannel builds', () => {
    expect(
      goMapJson(
        delegateConfig(
          {
            name: 'cbr0',
            cniVersion: '0.3.1',
            delegate: { hairpinMode: true, isDefaultGateway: true },
          },
          {
            network: parseIp4Net('10.244.0.0/16')!,
            subnet: parseIp4Net('10.244.1.1/24')!,
            mtu: 1450,
            ipMasq: true,
          },
        ),
      ),
    ).toBe(
      // Go's encoding/json sorts a map's keys (tests/golden/linux/cni-bridge.oracle.sh has it).
      '{"cniVersion":"0.3.1","hairpinMode":true,"ipMasq":false,"ipam":{"ranges":[[{"subnet":"10.244.1.0/24"}]],' +
        '"routes":[{"dst":"10.244.0.0/16"}],"type":"host-local"},"isDefaultGateway":true,"isGateway":true,' +
        '"mtu":1450,"name":"cbr0","type":"bridge"}',
    );
  });

  it('adds pods on cni0 from .2 upward with default and network routes via .1', async () => {
    const { fs, kernel, ctx } = await setup();
    kernel.netnsAdd('pod1');
    kernel.netnsAdd('pod2');
    const r1 = cniAdd(ctx, { containerId: 'c1', netns: 'pod1' });
    const r2 = cniAdd(ctx, { containerId: 'c2', netns: 'pod2' });
    expect([r1.ip, r2.ip, r1.gateway]).toEqual(['10.244.1.2', '10.244.1.3', '10.244.1.1']);
    const cni0 = kernel.linkGet(ROOT_NS, 'cni0');
    expect(cni0).toMatchObject({ kind: 'bridge', mtu: 1450 });
    expect(kernel.addrDump(ROOT_NS).filter((a) => a.ifindex === cni0.ifindex)).toMatchObject([
      { local: '10.244.1.1', prefixlen: 24 },
    ]);
    const veth = kernel.linkGet(ROOT_NS, r1.hostVeth);
    expect(veth).toMatchObject({ master: cni0.ifindex, mtu: 1450 });
    expect(r1.hostVeth).toMatch(/^veth[0-9a-f]{8}$/);
    expect(kernel.linkGet('pod1', 'eth0').mtu).toBe(1450);
    expect(kernel.routeDump('pod1').map((r) => `${r.dst}/${r.dstLen} ${r.gateway ?? ''}`)).toEqual([
      '0.0.0.0/0 10.244.1.1',
      '10.244.0.0/16 10.244.1.1',
      '10.244.1.0/24 ',
    ]);
    expect(fs.list('/var/lib/cni/networks/cbr0')).toEqual([
      '10.244.1.2',
      '10.244.1.3',
      'last_reserved_ip.0',
      'lock',
    ]);
    expect(fs.readText('/var/lib/cni/networks/cbr0/10.244.1.2')).toBe('c1\r\neth0');
    expect(kernel.sysctlGet(ROOT_NS, 'net.ipv4.ip_forward')).toBe('1');
    expect(JSON.parse(fs.readText('/var/lib/cni/flannel/c1'))).toMatchObject({
      type: 'bridge',
      mtu: 1450,
      ipMasq: false,
    });

    // delete frees the IP, but host-local continues round-robin after the last reserved
    cniDel(ctx, { containerId: 'c1', netns: 'pod1' });
    expect(() => kernel.linkGet(ROOT_NS, r1.hostVeth)).toThrow();
    expect(fs.exists('/var/lib/cni/networks/cbr0/10.244.1.2')).toBe(false);
    kernel.netnsAdd('pod3');
    expect(cniAdd(ctx, { containerId: 'c3', netns: 'pod3' }).ip).toBe('10.244.1.4');
  });

  it('fails like bridge when cni0 holds another subnet, and like flannel on a bad subnet.env', async () => {
    const { kernel, ctx, fs } = await setup();
    kernel.netnsAdd('pod1');
    cniAdd(ctx, { containerId: 'c1', netns: 'pod1' });
    fs.writeFile('/run/flannel/subnet.env', ENV.replace('10.244.1.1/24', '10.244.7.1/24'));
    kernel.netnsAdd('pod2');
    expect(() => cniAdd(ctx, { containerId: 'c2', netns: 'pod2' })).toThrow(
      '"cni0" already has an IP address different from 10.244.7.1/24',
    );
    fs.writeFile('/run/flannel/subnet.env', 'FLANNEL_NETWORK=10.244.0.0/16\n');
    expect(() => cniAdd(ctx, { containerId: 'c2', netns: 'pod2' })).toThrow(
      '/run/flannel/subnet.env is missing FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ',
    );
  });
});
