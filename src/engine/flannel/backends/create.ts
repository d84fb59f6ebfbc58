// How flanneld creates each backend of the registry (./index.ts): backend.New + RegisterNetwork,
// the backend's network with its device set up.

import type { NetworkConfig } from '../config.ts';
import type { BackendContext, BackendNetwork } from './common.ts';
import { HostGwNetwork } from './hostgw.ts';
import type { BackendType } from './index.ts';
import { UdpNetwork } from './udp.ts';
import { VxlanNetwork, parseVxlanOptions } from './vxlan.ts';

export const CREATE_BACKEND: Record<
  BackendType,
  (ctx: BackendContext, config: NetworkConfig) => BackendNetwork
> = {
  vxlan: (ctx, config) => new VxlanNetwork(ctx, parseVxlanOptions(config.backend)),
  'host-gw': (ctx) => new HostGwNetwork(ctx),
  udp: (ctx, config) => {
    const port = config.backend.Port ?? config.backend.port;
    return new UdpNetwork(ctx, typeof port === 'number' && port > 0 ? port : undefined);
  },
};
