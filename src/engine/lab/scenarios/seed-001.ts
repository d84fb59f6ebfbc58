// Seed 001 ("flannel 与 docker 的结合"): CentOS 7 hosts with the distribution's flannel
// (udp backend, flannel0) and docker-current. The flanneld unit runs mk-docker-opts.sh after
// start to write /run/flannel/docker, which docker's unit reads. The article shows one host
// (`[root@localhost ~]#`, enp0s3 10.8.65.66) and the host of container C (10.8.65.53); etcd
// runs outside them (the route to 10.8.64.10).

import type { Scenario } from './format.ts';

const NETWORK_CONFIG = '{"Network":"4.0.0.0/16","Backend":{"Type":"udp"}}';

/** CentOS 7's flanneld.service (flannel-0.7), its ExecStartPost writing /run/flannel/docker. */
const FLANNELD_UNIT = `[Unit]
Description=Flanneld overlay address etcd agent
After=network.target
After=network-online.target
Wants=network-online.target
After=etcd.service
Before=docker.service

[Service]
Type=notify
EnvironmentFile=/etc/sysconfig/flanneld
EnvironmentFile=-/etc/sysconfig/docker-network
ExecStart=/usr/bin/flanneld-start $FLANNEL_OPTIONS
ExecStartPost=/usr/libexec/flannel/mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS -d /run/flannel/docker
Restart=on-failure

[Install]
WantedBy=multi-user.target
RequiredBy=docker.service
`;

const FLANNELD_SYSCONFIG = `# Flanneld configuration options

# etcd url location.  Point this to the server where etcd runs
FLANNEL_ETCD_ENDPOINTS="http://10.8.64.10:2379"

# etcd config key.  This is the configuration key that flannel queries
# For address range assignment
FLANNEL_ETCD_PREFIX="/atomic.io/network"

# Any additional options that you want to pass
FLANNEL_OPTIONS="-etcd-endpoints=http://10.8.64.10:2379 -etcd-prefix=/atomic.io/network -iface=enp0s3"
`;

/** CentOS 7's docker.service (docker-1.12 "docker-current"), with flannel's drop-in applied. */
const DOCKER_UNIT = `[Unit]
Description=Docker Application Container Engine
Documentation=http://docs.docker.com
After=network.target flanneld.service
Requires=flanneld.service

[Service]
Type=notify
EnvironmentFile=-/run/flannel/docker
ExecStart=/usr/bin/docker-current daemon --exec-opt native.cgroupdriver=systemd --selinux-enabled --log-driver=journald $DOCKER_NETWORK_OPTIONS
LimitNOFILE=1048576
TimeoutStartSec=0
Restart=on-abnormal

[Install]
WantedBy=multi-user.target
`;

const host = (hostname: string, octet: number, boxes: string[]) => ({
  hostname,
  nic: 'enp0s3',
  address: `10.8.65.${octet}/24`,
  gateway: '10.8.65.1',
  roles: ['flanneld' as const, 'docker' as const],
  // flanneld's ExecStartPost has written /run/flannel/docker by now.
  boot: ['systemctl start docker', ...boxes.map((b) => `docker run -tid --name ${b} busybox`)],
});

const scenario: Scenario = {
  id: 'seed-001',
  title: 'flannel 与 docker 的结合',
  source: 'seeds/001_17cae7b30d4ff43e.txt',
  mode: 'docker',
  networkConfig: NETWORK_CONFIG,
  network: '4.0.0.0/16',
  subnetLen: 24,
  backend: 'udp',
  etcd: {
    version: '3.2.4',
    api: 2,
    clientUrls: ['http://10.8.64.10:2379'],
    prefix: '/atomic.io/network',
  },
  flannel: { version: '0.7.1' },
  units: {
    flanneld: '/usr/lib/systemd/system/flanneld.service',
    docker: '/usr/lib/systemd/system/docker.service',
  },
  // Containers A and B on the article's host, C on the other.
  hosts: [host('localhost', 66, ['A', 'B']), host('node-c', 53, ['C'])],
  files: [
    { path: '/usr/lib/systemd/system/flanneld.service', text: FLANNELD_UNIT },
    { path: '/etc/sysconfig/flanneld', text: FLANNELD_SYSCONFIG },
    { path: '/usr/lib/systemd/system/docker.service', text: DOCKER_UNIT },
  ],
};

export default scenario;
