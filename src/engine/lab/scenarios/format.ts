// A scenario is one article's lab, as data: its hosts (names, NIC, addresses), where etcd runs
// and which API it speaks, the flannel network config, and the files the article has on disk
// (unit files, /etc/flannel-config.json). `?scenario=<id>` (the widget's `scenario`
// attribute) builds it; a scenario file is this interface and nothing else, so a lesson or a
// docs writer adds one by writing a file like ./seed-002-vxlan.ts and listing it in index.ts.
//
// The hosts boot from these files as real ones do: a unit's ExecStart and EnvironmentFile are
// read from the unit file on disk (lab/unit-file.ts), so the flags the article shows are the
// flags that run. `mode` says how containers get their network: 'docker' (dockerd's bridge
// docker0, --bip from mk-docker-opts.sh) or 'kubernetes' (lab/kube-boot.ts: a kubelet per host,
// the control plane on the 'kube-master' host, kube-flannel's DaemonSet, CNI and cni0).

import type { Backend } from '../params.ts';

export type ScenarioMode = 'docker' | 'kubernetes';

/** What runs on a host: the etcd member, flanneld, dockerd. */
export type HostRole = 'etcd' | 'flanneld' | 'docker' | 'kube-master';

/** A pod the article has running (a ReplicationController's), networked on its node. */
export interface ScenarioPod {
  namespace: string;
  name: string;
  image: string;
}

export interface ScenarioHost {
  hostname: string;
  /** The NIC's name ('ens33' in seed 002, 'enp0s3' in seed 001). */
  nic: string;
  /** The NIC's address with its prefix. */
  address: string;
  gateway: string;
  roles: HostRole[];
  /** Shell lines run once the host has booted (containers the article started earlier). */
  boot?: string[];
  /** Kubernetes mode: the pods the article has on this node. */
  pods?: ScenarioPod[];
}

export interface ScenarioFile {
  path: string;
  text: string;
  /** The hosts that have it; all of them when absent. */
  hosts?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** The article reproduced (seeds/NNN_*.txt) and the part of it. */
  source: string;
  mode: ScenarioMode;
  /** flannel's network config as the article writes it into etcd (whitespace and all). */
  networkConfig: string;
  /** Parsed from networkConfig: what the UI and the topology show. */
  network: string;
  subnetLen: number;
  backend: Backend;
  etcd: {
    /** The version the article installs ('3.2.4'): its etcdctl's default API. */
    version: string;
    /** The API etcdctl speaks unless ETCDCTL_API says otherwise (2 until etcd 3.4). */
    api: 2 | 3;
    /** The lab host the member runs on; absent when it runs outside the lab. */
    host?: string;
    clientUrls: string[];
    /** flanneld's -etcd-prefix: the config is `${prefix}/config`. */
    prefix: string;
  };
  flannel: { version: string };
  /** Units: the unit file's path per unit name, among `files`. */
  units: Partial<Record<'etcd' | 'flanneld' | 'docker', string>>;
  hosts: ScenarioHost[];
  files: ScenarioFile[];
  /** Kubernetes mode: kubeadm's cluster (the nodes join in `hosts` order). */
  kubernetes?: {
    /** kube-controller-manager's --cluster-cidr (kubeadm's --pod-network-cidr). */
    clusterCidr: string;
    nodeCidrMaskSize: number;
    kubeletVersion: string;
    osImage: string;
    kernelVersion: string;
    containerRuntimeVersion: string;
  };
}
