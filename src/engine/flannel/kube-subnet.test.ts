import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import { ROOT_NS } from '../kernel/types.ts';
import { NodeIpamController } from '../kube/node-ipam.ts';
import { KubeStore } from '../kube/store.ts';
import { seededRandom } from '../lab/local-lab.ts';
import { addUplink, testKernel } from '../testing/kernel.ts';
import { testKv } from '../testing/kv.ts';
import { startFlanneld } from './flanneld.ts';

const NET_CONF = '{\n  "Network": "10.244.0.0/16",\n  "Backend": {\n    "Type": "vxlan"\n  }\n}\n';
const KUBE_ARGS = ['flanneld', '--ip-masq', '--kube-subnet-mgr'];

function cluster() {
  const clock = new ManualClock(Date.UTC(2017, 0, 17, 1, 0, 0));
  const { kv } = testKv(clock);
  const kube = new KubeStore(kv, clock, seededRandom(3));
  const ipam = new NodeIpamController(kube, {
    clusterCidr: '10.244.0.0/16',
    nodeCidrMaskSize: 24,
  });
  const register = (name: string, ip: string) =>
    kube.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      status: { addresses: [{ type: 'InternalIP', address: ip }] },
    });
  const host = async (name: string, ip: string, netConf: string | null = NET_CONF) => {
    const kernel = await testKernel(clock, { random: seededRandom(name.length), hostname: name });
    addUplink(kernel, 'eth0', `${ip}/24`, '172.16.112.2');
    const fs = new MemoryFileSystem(clock);
    if (netConf !== null) {
      fs.mkdir('/etc/kube-flannel', { recursive: true });
      fs.writeFile('/etc/kube-flannel/net-conf.json', netConf);
    }
    const log: string[] = [];
    const start = () =>
      startFlanneld(
        { kernel, kv, fs, clock, hostname: name, log: (l) => log.push(l), random: seededRandom(9) },
        KUBE_ARGS,
      );
    return { kernel, fs, log, start };
  };
  return { clock, kv, kube, ipam, register, host };
}

describe('node IPAM (kube-controller-manager --allocate-node-cidrs)', () => {
  it('gives each node the next /24 of the cluster CIDR in the order they register', async () => {
    const { kube, ipam, register } = cluster();
    await register('localhost.localdomain', '172.16.112.10');
    await ipam.start();
    await register('note2', '172.16.112.12');
    await register('node1', '172.16.112.11');
    await new Promise((r) => setTimeout(r, 0));
    await ipam.settled();
    const cidrs = (await kube.list('nodes')).items.map((n) => [n.metadata.name, n.spec?.podCIDR]);
    expect(cidrs).toEqual([
      ['localhost.localdomain', '10.244.0.0/24'],
      ['node1', '10.244.2.0/24'],
      ['note2', '10.244.1.0/24'],
    ]);
    expect((await kube.get('nodes', 'node1')).spec?.podCIDRs).toEqual(['10.244.2.0/24']);
  });
});

describe('flanneld --kube-subnet-mgr', () => {
  it('takes the node podCIDR as its lease, annotates the node and programs the peers', async () => {
    const { clock, kube, ipam, register, host } = cluster();
    await ipam.start();
    await register('node1', '172.16.112.11');
    await register('note2', '172.16.112.12');
    await new Promise((r) => setTimeout(r, 0));
    await ipam.settled();
    const a = await host('node1', '172.16.112.11');
    const b = await host('note2', '172.16.112.12');
    a.start();
    b.start();
    await clock.advance(10);
    expect(a.fs.readText('/run/flannel/subnet.env')).toBe(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.0.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n',
    );
    expect(a.log.join('\n')).toContain('Created subnet manager: Kubernetes Subnet Manager - node1');
    const node = await kube.get('nodes', 'node1');
    const mac = a.kernel.linkGet(ROOT_NS, 'flannel.1').address;
    expect(node.metadata.annotations).toEqual({
      'flannel.alpha.coreos.com/backend-data': `{"VNI":1,"VtepMAC":"${mac}"}`,
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
      'flannel.alpha.coreos.com/public-ip': '172.16.112.11',
    });
    expect(node.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'NetworkUnavailable',
        status: 'False',
        reason: 'FlannelIsUp',
      }),
    ]);
    // Each learnt the other from its Node: the route over flannel.1 to the peer's podCIDR.
    const routeTo = (h: typeof a, dst: string) =>
      h.kernel.routeDump(ROOT_NS, 'main').find((r) => r.dst === dst && r.dstLen === 24);
    expect(routeTo(a, '10.244.1.0')).toMatchObject({ gateway: '10.244.1.0' });
    expect(routeTo(b, '10.244.0.0')).toMatchObject({ gateway: '10.244.0.0' });
    // A node deleted from the API: its peer drops the route at once (no TTL in kube mode).
    await kube.delete('nodes', 'note2');
    await clock.advance(10);
    expect(routeTo(a, '10.244.1.0')).toBeUndefined();
  });

  it('fails as flannel does without a podCIDR or a net-conf.json', async () => {
    const { kube, register, host } = cluster();
    await register('node1', '172.16.112.11');
    const a = await host('node1', '172.16.112.11');
    expect(await a.start().exited).toBe(1);
    expect(a.log.at(-1)).toMatch(
      /^E0117 01:00:00\.000000 +\d+ main\.go:377\] Error registering network: failed to acquire lease: node "node1" pod cidr not assigned$/,
    );
    await kube.update('nodes', 'node1', undefined, (n) => (n.spec = { podCIDR: '10.5.0.0/24' }));
    const outside = await host('node1', '172.16.112.11');
    expect(await outside.start().exited).toBe(1);
    expect(outside.log.at(-1)).toContain(
      `subnet "10.244.0.0/16" specified in the flannel net config doesn't contain "10.5.0.0/24" PodCIDR of the "node1" node`,
    );
    const none = await host('node1', '172.16.112.11', null);
    expect(await none.start().exited).toBe(1);
    expect(none.log.at(-1)).toMatch(
      /main\.go:236\] Failed to create SubnetManager: failed to read net conf: open \/etc\/kube-flannel\/net-conf.json: no such file or directory$/,
    );
  });
});
