// What every backend shares: the external interface, the lease events it receives, and how a
// kernel failure reads in flannel's logs (Go's syscall.Errno text is lower-case).

import { NetlinkError, strerror } from '../../kernel/types.ts';
import type { KernelApi } from '../../kernel/types.ts';
import type { NetworkConfig } from '../config.ts';
import type { Klog } from '../klog.ts';
import type { Lease, LeaseAttrs } from '../lease.ts';
import type { LeaseEvent } from '../registry.ts';

export interface ExternalInterface {
  name: string;
  ifindex: number;
  /** The interface's IPv4 address. */
  ifaceAddr: string;
  /** --public-ip, or the interface address. */
  publicIP: string;
  mtu: number;
}

export interface BackendContext {
  kernel: KernelApi;
  ext: ExternalInterface;
  config: NetworkConfig;
  log: Klog;
  random: () => number;
  /** Lab-clock timers (route checks). Returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** A backend's network, as flannel's backend.Network: device set up before the lease is taken. */
export interface BackendNetwork {
  /** MTU written to subnet.env. */
  readonly mtu: number;
  /** The LeaseAttrs this node publishes. */
  leaseAttrs(): LeaseAttrs;
  /** Configures the device for the acquired lease (address, up). */
  configure(lease: Lease): void;
  /** Programs (Added) or unprograms (Removed) peers. */
  handleEvents(events: LeaseEvent[]): void;
  /** Stops timers and, for udp, the data plane. Kernel state is left as it is. */
  stop(): void;
}

/** 'network is unreachable' for ENETUNREACH, as Go prints a syscall.Errno. */
export function goErr(err: unknown): string {
  if (err instanceof NetlinkError) return strerror(err.errno).toLowerCase();
  return err instanceof Error ? err.message : String(err);
}

/** A random, locally administered, unicast MAC (flannel's pkg/mac). */
export function randomMac(random: () => number): string {
  const bytes: number[] = [];
  for (let i = 0; i < 6; i++) bytes.push(Math.floor(random() * 256) & 255);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
