// The wire's browser transport: BroadcastChannels per lab.
//   flannel-playground/<lab>/port/<hostId>  frames for one host (learned unicast)
//   flannel-playground/<lab>/flood          broadcasts and unknown unicast, for every host
// A host listens on its own port channel and on the flood channel. A BroadcastChannel never
// delivers a message back to the object that posted it, so a host does not hear its own floods.
// The lab id is part of every name, so two labs never see each other's frames.

import type { PortTransport, WireDestination, WireMessage } from '../engine/lab/wire.ts';

export function portChannelName(labId: string, hostId: string): string {
  return `flannel-playground/${labId}/port/${hostId}`;
}

export function floodChannelName(labId: string): string {
  return `flannel-playground/${labId}/flood`;
}

export class BroadcastTransport implements PortTransport {
  private readonly own: BroadcastChannel;
  private readonly flood: BroadcastChannel;
  /** Send-only channels to other hosts' ports, opened on first use. */
  private readonly peers = new Map<string, BroadcastChannel>();
  private handler: (message: unknown) => void = () => {};

  constructor(
    private readonly labId: string,
    readonly portId: string,
  ) {
    this.own = new BroadcastChannel(portChannelName(labId, portId));
    this.flood = new BroadcastChannel(floodChannelName(labId));
    const receive = (e: MessageEvent) => this.handler(e.data);
    this.own.onmessage = receive;
    this.flood.onmessage = receive;
  }

  send(to: WireDestination, message: WireMessage): void {
    if (to === 'flood') {
      this.flood.postMessage(message);
      return;
    }
    let peer = this.peers.get(to);
    if (!peer) {
      peer = new BroadcastChannel(portChannelName(this.labId, to));
      this.peers.set(to, peer);
    }
    peer.postMessage(message);
  }

  onMessage(handler: (message: unknown) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.own.close();
    this.flood.close();
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }
}
