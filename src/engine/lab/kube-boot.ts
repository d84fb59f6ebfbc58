// A scenario host in Kubernetes mode boots as a kubeadm node: its kubelet registers the Node
// (the nodes in the scenario's order, as the article joined them), the master keeps the
// control plane's objects (namespaces, kube-flannel's ConfigMap and DaemonSet) and runs
// kube-controller-manager's node IPAM; on every node the DaemonSet's pod runs flanneld
// --kube-subnet-mgr with the ConfigMap's net-conf.json mounted, install-cni writes
// 10-flannel.conflist (kubelet reports Ready then), and the article's pods are networked by
// the CNI plugin on cni0. The lab plays the DaemonSet controller and the scheduler: it writes
// the pods' objects with their node, as those would.

import { cniAdd, cniDel, FLANNEL_CONFLIST, installConflist } from '../cni/cni.ts';
import { randomHex } from '../cni/veth.ts';
import { nodeObject, postNodeReady } from '../kube/kubelet.ts';
import { NodeIpamController } from '../kube/node-ipam.ts';
import { KubeError, KubeStore, type NewObject } from '../kube/store.ts';
import type { Host } from './host.ts';
import { FLANNELD_RESTART_MS, FLANNELD_UNIT, flanneldReady, runFlanneld } from './node-setup.ts';
import type { Scenario, ScenarioHost, ScenarioPod } from './scenarios/index.ts';

export const NET_CONF_PATH = '/etc/kube-flannel/net-conf.json';
/** kube-flannel.yml's container: `/opt/bin/flanneld --ip-masq --kube-subnet-mgr`. */
export const KUBE_FLANNEL_ARGV = ['/opt/bin/flanneld', '--ip-masq', '--kube-subnet-mgr'];
const NODE_WAIT_MS = 1000;
const FLANNEL_LABELS = { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' };

/** apimachinery's rand.String: the alphabet of generated names' suffixes. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(random: () => number): string {
  return Array.from({ length: 5 }, () => SUFFIX_ALPHABET[Math.floor(random() * 27)]).join('');
}

async function createIfAbsent(store: KubeStore, ...args: Parameters<KubeStore['create']>) {
  try {
    await store.create(...args);
  } catch (err) {
    if (!(err instanceof KubeError && err.reason === 'AlreadyExists')) throw err;
  }
}

/** What `kubeadm init` and `kubectl create -f kube-flannel.yml` left in the API. */
async function ensureControlPlaneObjects(store: KubeStore, scenario: Scenario): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel'])
    await createIfAbsent(store, 'namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  for (const ns of new Set(scenario.hosts.flatMap((h) => h.pods ?? []).map((p) => p.namespace)))
    await createIfAbsent(store, 'namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  await createIfAbsent(store, 'configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', labels: FLANNEL_LABELS },
    data: { 'cni-conf.json': FLANNEL_CONFLIST, 'net-conf.json': scenario.networkConfig },
  });
  const nodes = scenario.hosts.filter((h) => h.roles.includes('flanneld')).length;
  await createIfAbsent(store, 'daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', labels: FLANNEL_LABELS },
    spec: {
      selector: { matchLabels: { app: 'flannel' } },
      template: {
        metadata: { labels: FLANNEL_LABELS },
        spec: {
          hostNetwork: true,
          containers: [
            {
              name: 'kube-flannel',
              image: `docker.io/flannel/flannel:v${scenario.flannel.version}`,
              command: ['/opt/bin/flanneld'],
              args: KUBE_FLANNEL_ARGV.slice(1),
            },
          ],
        },
      },
    },
    status: {
      currentNumberScheduled: nodes,
      desiredNumberScheduled: nodes,
      numberAvailable: nodes,
      numberReady: nodes,
      updatedNumberScheduled: nodes,
    },
  });
}

function podObject(
  pod: Omit<ScenarioPod, 'image'> & { image: string },
  node: string,
  ip: string,
  extra: Partial<NewObject['metadata']> = {},
): NewObject {
  const name = pod.image.split('/').at(-1)!.split(':')[0];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, ...extra },
    spec: { nodeName: node, containers: [{ name, image: pod.image }] },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: [{ name, image: pod.image, ready: true, restartCount: 0, started: true }],
    },
  };
}

/** Waits (lab time) until `name` has registered, so the nodes join one after another. */
async function nodeRegistered(store: KubeStore, host: Host, name: string): Promise<void> {
  for (;;) {
    try {
      await store.get('nodes', name);
      return;
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
    }
    await new Promise<void>((resolve) => host.clock.setTimer(NODE_WAIT_MS, resolve));
  }
}

export async function bootKubeHost(
  host: Host,
  scenario: Scenario,
  spec: ScenarioHost,
  signal?: AbortSignal,
): Promise<void> {
  const kube = scenario.kubernetes;
  if (!host.kv || !kube) throw new Error(`${scenario.id}: a Kubernetes host needs the lab's etcd`);
  const store = new KubeStore(host.kv, host.clock, host.random);
  const master = spec.roles.includes('kube-master');
  if (master) {
    await ensureControlPlaneObjects(store, scenario);
    // kube-controller-manager lives as long as the master does.
    await new NodeIpamController(store, {
      clusterCidr: kube.clusterCidr,
      nodeCidrMaskSize: kube.nodeCidrMaskSize,
    }).start();
  }
  const index = scenario.hosts.indexOf(spec);
  if (index > 0) await nodeRegistered(store, host, scenario.hosts[index - 1].hostname);
  const internalIP = spec.address.split('/')[0];
  await createIfAbsent(
    store,
    'nodes',
    nodeObject(
      { ...kube, name: host.hostname, internalIP, role: master ? 'control-plane' : undefined },
      host.clock.now(),
    ),
  );
  if (!spec.roles.includes('flanneld')) return;
  // The DaemonSet's pod on this node: host network, the ConfigMap mounted, install-cni first.
  await createIfAbsent(
    store,
    'pods',
    podObject(
      {
        namespace: 'kube-flannel',
        name: `kube-flannel-ds-${randomSuffix(host.random)}`,
        image: `docker.io/flannel/flannel:v${scenario.flannel.version}`,
      },
      host.hostname,
      internalIP,
      { labels: FLANNEL_LABELS },
    ),
  );
  const cm = await store.get('configmaps', 'kube-flannel-cfg', 'kube-flannel');
  host.fs.mkdir('/etc/kube-flannel', { recursive: true });
  host.fs.writeFile(NET_CONF_PATH, cm.data?.['net-conf.json'] ?? '');
  installConflist(host.fs);
  await postNodeReady(store, host.hostname, host.clock.now());
  host.services.define({
    name: FLANNELD_UNIT,
    description: 'kube-flannel (the DaemonSet pod)',
    execStart: KUBE_FLANNEL_ARGV,
    type: 'notify',
    restartOnFailureMs: FLANNELD_RESTART_MS,
    run: (io) => runFlanneld(host, KUBE_FLANNEL_ARGV, io),
  });
  host.services.start(FLANNELD_UNIT);
  await flanneldReady(host, signal);
  const cni = { kernel: host.kernel, fs: host.fs, random: host.random };
  for (const pod of spec.pods ?? []) {
    if (!host.kernel.netnsList().includes(pod.name)) host.kernel.netnsAdd(pod.name);
    const containerId = randomHex(host.random, 64);
    const { ip } = cniAdd(cni, { containerId, netns: pod.name });
    const object = podObject(pod, host.hostname, ip);
    (object.metadata.annotations ??= {})[SANDBOX_ANNOTATION] = containerId;
    await createIfAbsent(store, 'pods', object);
  }
  await watchOwnPods(store, host);
}

/**
 * The lab's record of a pod's sandbox (kubelet keeps it in the runtime): the container id its
 * network was set up under, which CNI DEL needs.
 */
const SANDBOX_ANNOTATION = 'flannel-playground/sandbox-id';

/** kubelet's pod deletion: a deleted pod of this node loses its network (CNI DEL) and netns. */
async function watchOwnPods(store: KubeStore, host: Host): Promise<void> {
  const { revision } = await store.list('pods');
  store.watch('pods', revision + 1, (ev) => {
    const spec = ev.object.spec as { nodeName?: string } | undefined;
    const id = ev.object.metadata.annotations?.[SANDBOX_ANNOTATION];
    if (ev.type !== 'DELETED' || spec?.nodeName !== host.hostname || !id) return;
    const netns = ev.object.metadata.name;
    cniDel({ kernel: host.kernel, fs: host.fs, random: host.random }, { containerId: id, netns });
    if (host.kernel.netnsList().includes(netns)) host.kernel.netnsDel(netns);
  });
}
