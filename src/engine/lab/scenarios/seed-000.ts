// Seed 000 ("kubernets的网络插件：flannel"): a kubeadm cluster of CentOS 7 VMs, the master
// `localhost.localdomain` and the nodes `node1` and `note2` (so the article spells it), NIC
// eno16780032 on 192.168.181.0/24 (gateway .254, from its `route -n`), kube-flannel applied
// from kube-flannel.yml (vxlan; UDP 8472 in its `netstat`), pods on cni0 from
// 10-flannel.conflist. The article's pods are in 10.244/16 (`kubectl get pods -n alpine -o
// wide`), its route -n shows a 10.1/16 of an earlier setup: the lab follows the pods. The
// master's .10 and the nodes' .11/.12 are the lab's (the article never shows them).

import type { Scenario } from './format.ts';

/** kube-flannel.yml's net-conf.json, as the ConfigMap holds it. */
const NET_CONF = `{
  "Network": "10.244.0.0/16",
  "Backend": {
    "Type": "vxlan"
  }
}
`;

const host = (hostname: string, octet: number, extra: Partial<Scenario['hosts'][0]> = {}) => ({
  hostname,
  nic: 'eno16780032',
  address: `192.168.181.${octet}/24`,
  gateway: '192.168.181.254',
  roles: ['flanneld' as const],
  ...extra,
});

const scenario: Scenario = {
  id: 'seed-000',
  title: 'kubernets的网络插件：flannel',
  source: 'seeds/000_ad4316f138a87769.txt',
  mode: 'kubernetes',
  networkConfig: NET_CONF,
  network: '10.244.0.0/16',
  subnetLen: 24,
  backend: 'vxlan',
  etcd: {
    version: '3.0.14',
    api: 3,
    host: 'localhost.localdomain',
    clientUrls: ['http://127.0.0.1:2379'],
    prefix: '/registry',
  },
  flannel: { version: '0.6.1' },
  units: {},
  // The nodes join in this order: note2's pod got 10.244.1.2 and node1's 10.244.2.2.
  hosts: [
    host('localhost.localdomain', 10, { roles: ['kube-master', 'flanneld'] }),
    host('note2', 12, {
      pods: [{ namespace: 'alpine', name: 'alpine-4zmey', image: 'mritd/alpine:3.4' }],
    }),
    host('node1', 11, {
      pods: [{ namespace: 'alpine', name: 'alpine-55zej', image: 'mritd/alpine:3.4' }],
    }),
  ],
  files: [],
  kubernetes: {
    clusterCidr: '10.244.0.0/16',
    nodeCidrMaskSize: 24,
    kubeletVersion: 'v1.30.0',
    osImage: 'CentOS Linux 7 (Core)',
    kernelVersion: '3.10.0-327.el7.x86_64',
    containerRuntimeVersion: 'docker://1.12.5',
  },
};

export default scenario;
