// The wire's browser transport: BroadcastChannels per lab.
//   flannel-playground/<lab>/port/<hostId>  frames for one host (learned unicast)
//   flannel-playground/<lab>/flood          broadcasts and unknown unicast, for every host
// A host listens on its own port channel and on the flood channel. A BroadcastChannel never
// delivers a message back to the object that posted it, so a host does not hear its own floods.
// The lab id is part of every name, so two labs never see each other's frames.
//
// Hosts of the same tab may also be joined by a direct MessagePort (the page hands both ends
// out): unicast to such a peer takes the port, which skips the browser process and is about a
// quarter of a BroadcastChannel's round trip (browser-limits.md). Floods stay on the flood
// channel, so hosts in other tabs of the lab still hear them. The first unicast to a peer with
// no port asks for one (`onPeerWanted`) and goes by BroadcastChannel meanwhile.
//
// Hosts in other browsers (a lab on a real etcd) are reached through the page, which holds the
// WebRTC data channels (remote-wire.ts): `connectRemote` hands this host a port to it. Every
// flood also goes there, and unicast to a host first heard through it goes only there.

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
  /** Direct ports to hosts of the same tab. */
  private readonly direct = new Map<string, MessagePort>();
  /** Peers a direct port was asked for (once each). */
  private readonly wanted = new Set<string>();
  /** The page's relay to hosts in other browsers, and the hosts heard through it. */
  private remote: MessagePort | null = null;
  private readonly remoteHosts = new Set<string>();
  private handler: (message: unknown) => void = () => {};
  /** Called once per peer reached only by BroadcastChannel so far. */
  onPeerWanted: ((hostId: string) => void) | null = null;

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
      this.remote?.postMessage({ to, message });
      return;
    }
    if (this.remote && this.remoteHosts.has(to)) {
      this.remote.postMessage({ to, message }, [message.bytes]);
      return;
    }
    const port = this.direct.get(to);
    if (port) {
      // The batch's buffer is the wire's to give away: moved, not copied.
      port.postMessage(message, [message.bytes]);
      return;
    }
    if (this.onPeerWanted && !this.wanted.has(to)) {
      this.wanted.add(to);
      this.onPeerWanted(to);
    }
    let peer = this.peers.get(to);
    if (!peer) {
      peer = new BroadcastChannel(portChannelName(this.labId, to));
      this.peers.set(to, peer);
    }
    peer.postMessage(message);
  }

  /** Joins this host to a host of the same tab by a direct port (replacing an older one). */
  connectPeer(hostId: string, port: MessagePort): void {
    this.direct.get(hostId)?.close();
    port.onmessage = (e: MessageEvent) => this.handler(e.data);
    this.direct.set(hostId, port);
  }

  /** Joins this host to the page's relay to other browsers (replacing an older one). */
  connectRemote(port: MessagePort): void {
    this.remote?.close();
    this.remoteHosts.clear();
    port.onmessage = (e: MessageEvent) => {
      const from = (e.data as { from?: unknown } | null)?.from;
      if (typeof from === 'string' && from !== this.portId) this.remoteHosts.add(from);
      this.handler(e.data);
    };
    this.remote = port;
  }

  /** The peer is gone (its host was removed): back to BroadcastChannel for that id. */
  disconnectPeer(hostId: string): void {
    this.direct.get(hostId)?.close();
    this.direct.delete(hostId);
    this.wanted.delete(hostId);
    this.remoteHosts.delete(hostId);
  }

  onMessage(handler: (message: unknown) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.own.close();
    this.flood.close();
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    for (const port of this.direct.values()) port.close();
    this.direct.clear();
    this.remote?.close();
  }
}
