// What a kubelet writes about its node: the Node it registers (labels, addresses, nodeInfo, a
// Ready=False condition until the network plugin is ready, as kubelet's runtime check reports
// while /etc/cni/net.d holds no config) and the Ready=True it posts once it is.

import type { KubeStore, NewObject } from './store.ts';
import { kubeTime } from './store.ts';

export interface NodeInfo {
  name: string;
  internalIP: string;
  /** 'control-plane' for kubeadm's first node. */
  role?: string;
  kubeletVersion: string;
  osImage: string;
  kernelVersion: string;
  containerRuntimeVersion: string;
}

const NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

export function nodeObject(info: NodeInfo, now: number): NewObject {
  const time = kubeTime(now);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': info.name,
    'kubernetes.io/os': 'linux',
  };
  if (info.role) labels[`node-role.kubernetes.io/${info.role}`] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: info.name, labels },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: info.internalIP },
        { type: 'Hostname', address: info.name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          lastHeartbeatTime: time,
          lastTransitionTime: time,
          reason: 'KubeletNotReady',
          message: NOT_READY_MESSAGE,
        },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: info.containerRuntimeVersion,
        kernelVersion: info.kernelVersion,
        kubeletVersion: info.kubeletVersion,
        operatingSystem: 'linux',
        osImage: info.osImage,
      },
    },
  };
}

/** kubelet's status update once a CNI config exists: Ready=True, "kubelet is posting ready status". */
export async function postNodeReady(store: KubeStore, name: string, now: number): Promise<void> {
  const time = kubeTime(now);
  await store.update('nodes', name, undefined, (node) => {
    const status = (node.status ??= {});
    const others = ((status.conditions as { type: string }[] | undefined) ?? []).filter(
      (c) => c.type !== 'Ready',
    );
    status.conditions = [
      ...others,
      {
        type: 'Ready',
        status: 'True',
        lastHeartbeatTime: time,
        lastTransitionTime: time,
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
      },
    ];
  });
}
