// Seed 002 ("Flannel 环境搭建与分析"): three Ubuntu 16.04 VMs on ens33, etcd 3.2.4 on node-1
// (v2 API), flanneld 0.10 and docker 18.06 on node-2 and node-3. The article runs three
// experiments on the same hosts, one per backend, each with its own network; the three
// scenarios share everything else, made here.

import type { Backend } from '../params.ts';
import type { Scenario } from './format.ts';

const FLANNELD_UNIT = `[Unit]
Description=Flanneld
After=network.target
Before=docker.service
[Service]
User=root
ExecStart=/usr/local/bin/flanneld --etcd-endpoints=http://172.16.112.128:2379 --iface=ens33 -etcd-prefix=/docker-subnet/network
Type=notify
LimitNOFILE=65536
`;

const ETCD_UNIT = `[Unit]
Description=Etcd Server
Documentation=https://github.com/coreos/etcd
After=network.target
After=network-online.target
Wants=network-online.target
[Service]
User=root
Type=notify
EnvironmentFile=-/etc/etcd/etcd.conf
ExecStart=/usr/local/bin/etcd
LimitNOFILE=40000
[Install]
WantedBy=multi-user.target
`;

const ETCD_CONF = `ETCD_DATA_DIR="/var/run/etcd"
ETCD_ADVERTISE_CLIENT_URLS="http://172.16.112.128:2379,http://127.0.0.1:2379"
ETCD_NAME="node-1"
ETCD_LISTEN_CLIENT_URLS="http://172.16.112.128:2379,http://127.0.0.1:2379"
`;

/** docker 18.06's unit with the article's step 5 applied (EnvironmentFile, $DOCKER_OPTS). */
const DOCKER_UNIT = `[Unit]
Description=Docker Application Container Engine
Documentation=https://docs.docker.com
After=network-online.target docker.socket firewalld.service
Wants=network-online.target
Requires=docker.socket

[Service]
Type=notify
EnvironmentFile=/run/docker_opts.env
ExecStart=/usr/bin/dockerd -H fd:// $DOCKER_OPTS
ExecReload=/bin/kill -s HUP $MAINPID
LimitNOFILE=1048576
TimeoutStartSec=0
Delegate=yes
KillMode=process
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

/** The article's /etc/flannel-config.json, as `cat` shows it (a space before the newline). */
export function flannelConfigJson(network: string, backend: Backend): string {
  return `{
  "Network":"${network}",
  "SubnetLen":24,
  "Backend":{
      "Type":"${backend}" 
  }
}
`;
}

/** Ubuntu's /etc/hosts (its own name on 127.0.1.1) with the lab's other hosts. */
function etcHosts(self: string): string {
  const others = [
    ['172.16.112.128', 'node-1'],
    ['172.16.112.133', 'node-2'],
    ['172.16.112.130', 'node-3'],
  ].filter(([, name]) => name !== self);
  return (
    `127.0.0.1\tlocalhost\n127.0.1.1\t${self}\n\n` +
    others.map(([ip, name]) => `${ip}\t${name}\n`).join('')
  );
}

export function seed002(
  id: string,
  part: string,
  network: string,
  backend: Backend,
  containers: boolean,
): Scenario {
  const config = flannelConfigJson(network, backend);
  const worker = (hostname: string, octet: number, box: string) => ({
    hostname,
    nic: 'ens33',
    address: `172.16.112.${octet}/24`,
    gateway: '172.16.112.2',
    roles: ['flanneld', 'docker'] as const,
    // The article's steps 4 and 5 (docker with flannel's options); the host-gw part starts the
    // containers itself, the later parts find them running.
    boot: [
      'mk-docker-opts.sh',
      'systemctl start docker',
      ...(containers ? [`docker run --name ${box} -tid busybox`] : []),
    ],
  });
  return {
    id,
    title: `Flannel 环境搭建与分析: ${part}`,
    source: 'seeds/002_208125d75582f8cd.txt',
    mode: 'docker',
    networkConfig: config,
    network,
    subnetLen: 24,
    backend,
    etcd: {
      version: '3.2.4',
      api: 2,
      host: 'node-1',
      clientUrls: ['http://172.16.112.128:2379', 'http://127.0.0.1:2379'],
      prefix: '/docker-subnet/network',
    },
    flannel: { version: '0.10.0' },
    units: {
      etcd: '/lib/systemd/system/etcd.service',
      flanneld: '/lib/systemd/system/flanneld.service',
      docker: '/lib/systemd/system/docker.service',
    },
    hosts: [
      {
        hostname: 'node-1',
        nic: 'ens33',
        address: '172.16.112.128/24',
        gateway: '172.16.112.2',
        roles: ['etcd'],
      },
      { ...worker('node-2', 133, 'bbox2'), roles: ['flanneld', 'docker'] },
      { ...worker('node-3', 130, 'bbox3'), roles: ['flanneld', 'docker'] },
    ],
    files: [
      { path: '/etc/flannel-config.json', text: config, hosts: ['node-1'] },
      { path: '/etc/etcd/etcd.conf', text: ETCD_CONF, hosts: ['node-1'] },
      { path: '/lib/systemd/system/etcd.service', text: ETCD_UNIT, hosts: ['node-1'] },
      {
        path: '/lib/systemd/system/flanneld.service',
        text: FLANNELD_UNIT,
        hosts: ['node-2', 'node-3'],
      },
      {
        path: '/lib/systemd/system/docker.service',
        text: DOCKER_UNIT,
        hosts: ['node-2', 'node-3'],
      },
      ...['node-1', 'node-2', 'node-3'].map((h) => ({
        path: '/etc/hosts',
        text: etcHosts(h),
        hosts: [h],
      })),
    ],
  };
}
