// The wire between browsers: a lab on a real etcd (?etcd=) can be run by several browsers,
// each with some of the hosts. Hosts of this browser meet on BroadcastChannels and MessagePorts
// (broadcast-transport.ts); a host in another browser is reached over WebRTC, which only a page
// (not a worker) can open. So this tab's page holds one RTCPeerConnection per other browser's
// tab, signalled through etcd (rtc-signalling.ts), with one unreliable, unordered data channel
// per pair of hosts: an Ethernet frame is one datagram, lost or late as on a real cable.
// Each local host gets a port to this relay (`connectRemote`): it sends its floods and its
// unicast for remote hosts there, and receives what remote hosts send it.
//
// The tab with the smaller id offers and creates every data channel (labelled
// `<its host>|<other tab's host>`), so the two ends never race to create the same one.

import type { WireDestination, WireMessage } from '../engine/lab/wire.ts';
import type { IceCandidate, RtcSignalling, Signal } from './rtc-signalling.ts';

/** Frames wait in a channel's send buffer up to this much; more are dropped, as a full queue. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** A failed connection is offered again after this long. */
const RETRY_MS = 2000;

export type RemoteLinkState = RTCPeerConnectionState;

/** A host in another browser, as the topology shows it. */
export interface RemoteHost {
  hostname: string;
  tab: string;
  state: RemoteLinkState;
}

export interface RemoteWireStats {
  txFrames: number;
  rxFrames: number;
  /** Frames dropped because a channel was not open or its buffer was full. */
  txDropped: number;
}

export interface RemoteWireDeps {
  signalling: RtcSignalling;
  tabId: string;
  /** Whether a tab runs in this browser: its hosts are reached without WebRTC. */
  sameBrowser: (tabId: string) => Promise<boolean>;
  createPeerConnection: () => RTCPeerConnection;
  /** Hands a local host its end of the relay. */
  connectHost: (hostname: string, port: MessagePort) => void;
  /** The remote hosts or their links changed. */
  onChange: (hosts: RemoteHost[]) => void;
  setTimer: (ms: number, fn: () => void) => () => void;
  warn: (message: string) => void;
}

/** One other browser's tab: the connection, its channels, and what it runs. */
class TabLink {
  pc: RTCPeerConnection | null = null;
  epoch = 0;
  hosts: string[] = [];
  /** `<local host>|<remote host>` -> channel. */
  readonly channels = new Map<string, RTCDataChannel>();
  /** Candidates that came before the description they belong to. */
  pending: IceCandidate[] = [];
  /** Settles once this side's offer or answer is written: its candidates must follow it. */
  described: Promise<void> = Promise.resolve();
  cancelRetry: (() => void) | null = null;

  constructor(
    readonly tab: string,
    readonly offerer: boolean,
  ) {}

  close(): void {
    this.cancelRetry?.();
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
    this.pc?.close();
    this.pc = null;
    this.pending = [];
  }
}

/** Frames from one remote host to one local host, gathered for one message to the worker. */
interface Inbound {
  from: string;
  frames: Uint8Array[];
}

export class RemoteWire {
  readonly stats: RemoteWireStats = { txFrames: 0, rxFrames: 0, txDropped: 0 };
  private readonly links = new Map<string, TabLink>();
  /** Local host -> its end of the relay. */
  private readonly relays = new Map<string, MessagePort>();
  /** Per `<local>|<remote>`: frames received this turn, delivered together. */
  private readonly inbound = new Map<string, Inbound>();
  private flushQueued = false;
  private closed = false;

  constructor(private readonly deps: RemoteWireDeps) {}

  /** Starts signalling; hosts attached before or after are joined to every remote one. */
  async open(): Promise<void> {
    await this.deps.signalling.open({
      signal: (s) => void this.onSignal(s),
      tabs: (tabs) => void this.onTabs(tabs),
    });
  }

  /** Joins a host of this tab to the relay (at boot and when a host is added). */
  attach(hostname: string): void {
    const { port1, port2 } = new MessageChannel();
    this.relays.get(hostname)?.close();
    this.relays.set(hostname, port1);
    port1.onmessage = (e: MessageEvent) => this.fromHost(hostname, e.data);
    this.deps.connectHost(hostname, port2);
    for (const link of this.links.values()) this.openChannels(link);
  }

  /** A host of this tab is gone. */
  detach(hostname: string): void {
    this.relays.get(hostname)?.close();
    this.relays.delete(hostname);
    for (const link of this.links.values()) {
      for (const [pair, channel] of link.channels) {
        if (pair.startsWith(`${hostname}|`)) {
          channel.close();
          link.channels.delete(pair);
        }
      }
    }
  }

  close(): void {
    this.closed = true;
    this.deps.signalling.close();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const port of this.relays.values()) port.close();
    this.relays.clear();
  }

  /** The remote hosts, for the topology. */
  remoteHosts(): RemoteHost[] {
    return [...this.links.values()].flatMap((link) =>
      link.hosts.map((hostname) => ({
        hostname,
        tab: link.tab,
        state: link.pc?.connectionState ?? 'new',
      })),
    );
  }

  private changed(): void {
    if (!this.closed) this.deps.onChange(this.remoteHosts());
  }

  private async onTabs(tabs: Map<string, string[]>): Promise<void> {
    for (const [tab, link] of this.links) {
      if (tabs.has(tab)) continue;
      link.close();
      this.links.delete(tab);
    }
    for (const [tab, hosts] of tabs) {
      if (!this.links.has(tab) && (await this.deps.sameBrowser(tab))) continue;
      if (this.closed) return;
      // An offer from the tab may have made its link while this one asked.
      let link = this.links.get(tab);
      if (!link) {
        link = new TabLink(tab, this.deps.tabId < tab);
        this.links.set(tab, link);
        link.hosts = hosts;
        if (link.offerer) await this.offer(link);
      }
      link.hosts = hosts;
      this.openChannels(link);
    }
    this.changed();
  }

  /** (Re)connects to a tab as the offering side: a new epoch, a new connection. */
  private async offer(link: TabLink): Promise<void> {
    link.close();
    link.epoch++;
    const epoch = link.epoch;
    const pc = this.newConnection(link);
    this.openChannels(link);
    link.described = (async () => {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (link.pc !== pc) return;
      await this.deps.signalling.send(link.tab, { kind: 'offer', epoch, sdp: offer.sdp ?? '' });
    })();
    await link.described;
  }

  private newConnection(link: TabLink): RTCPeerConnection {
    const pc = this.deps.createPeerConnection();
    link.pc = pc;
    const epoch = link.epoch;
    pc.onicecandidate = (e) => {
      if (!e.candidate || link.pc !== pc) return;
      const candidate = e.candidate.toJSON();
      void link.described
        .then(() => this.deps.signalling.send(link.tab, { kind: 'candidate', epoch, candidate }))
        .catch((err: unknown) => this.deps.warn(`WebRTC: candidate not sent: ${String(err)}`));
    };
    pc.onconnectionstatechange = () => {
      if (link.pc !== pc) return;
      this.changed();
      if (pc.connectionState === 'failed' && link.offerer && !this.closed) {
        link.cancelRetry = this.deps.setTimer(RETRY_MS, () => {
          if (this.links.get(link.tab) === link) void this.offer(link);
        });
      }
    };
    pc.ondatachannel = (e) => {
      // The offerer labelled it from its side: `<its host>|<our host>`.
      const [theirs, ours] = e.channel.label.split('|');
      if (ours && theirs) this.useChannel(link, `${ours}|${theirs}`, e.channel);
    };
    return pc;
  }

  /** The offering side opens a channel for every pair of hosts that lacks one. */
  private openChannels(link: TabLink): void {
    if (!link.offerer || !link.pc) return;
    for (const local of this.relays.keys()) {
      for (const remote of link.hosts) {
        const pair = `${local}|${remote}`;
        if (link.channels.has(pair)) continue;
        const channel = link.pc.createDataChannel(pair, { ordered: false, maxRetransmits: 0 });
        this.useChannel(link, pair, channel);
      }
    }
  }

  private useChannel(link: TabLink, pair: string, channel: RTCDataChannel): void {
    link.channels.get(pair)?.close();
    link.channels.set(pair, channel);
    channel.binaryType = 'arraybuffer';
    const [local, remote] = pair.split('|');
    channel.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) this.toHost(local, remote, new Uint8Array(e.data));
    };
    channel.onopen = () => this.changed();
  }

  private async onSignal(s: Signal): Promise<void> {
    try {
      if (s.kind === 'offer') return await this.answer(s);
      const link = this.links.get(s.from);
      if (!link?.pc || s.epoch !== link.epoch) return; // stale: an older connection's
      if (s.kind === 'answer') {
        if (!link.offerer || link.pc.signalingState !== 'have-local-offer') return;
        await link.pc.setRemoteDescription({ type: 'answer', sdp: s.sdp });
        await this.addPending(link);
      } else if (link.pc.remoteDescription) {
        await link.pc.addIceCandidate(s.candidate);
      } else {
        link.pending.push(s.candidate);
      }
    } catch (err) {
      this.deps.warn(`WebRTC: ${s.kind} from tab ${s.from} failed: ${String(err)}`);
    }
  }

  /** The answering side: every offer (a new epoch) starts a new connection. */
  private async answer(s: Signal & { kind: 'offer' }): Promise<void> {
    let link = this.links.get(s.from);
    if (!link) {
      if (await this.deps.sameBrowser(s.from)) return;
      link = this.links.get(s.from) ?? new TabLink(s.from, false);
      this.links.set(s.from, link);
    }
    if (link.offerer || (link.pc && s.epoch === link.epoch)) return;
    link.close();
    link.epoch = s.epoch;
    const pc = this.newConnection(link);
    link.described = (async () => {
      await pc.setRemoteDescription({ type: 'offer', sdp: s.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await this.addPending(link);
      await this.deps.signalling.send(s.from, {
        kind: 'answer',
        epoch: s.epoch,
        sdp: answer.sdp ?? '',
      });
    })();
    await link.described;
    this.changed();
  }

  private async addPending(link: TabLink): Promise<void> {
    for (const c of link.pending.splice(0)) await link.pc?.addIceCandidate(c);
  }

  /** A local host's batch for the wire: floods to every remote host, unicast to one. */
  private fromHost(local: string, data: unknown): void {
    const { to, message } = (data ?? {}) as { to?: WireDestination; message?: WireMessage };
    if (typeof to !== 'string' || !message || !(message.bytes instanceof ArrayBuffer)) return;
    if (!Array.isArray(message.lengths)) return;
    const mine = `${local}|`;
    const channels = [...this.links.values()].flatMap((link) =>
      to === 'flood'
        ? [...link.channels].flatMap(([pair, c]) => (pair.startsWith(mine) ? [c] : []))
        : (link.channels.get(mine + to) ?? []),
    );
    const all = new Uint8Array(message.bytes);
    let at = 0;
    for (const len of message.lengths) {
      if (typeof len !== 'number' || at + len > all.length) return;
      const frame = all.subarray(at, (at += len));
      for (const channel of channels) {
        if (channel.readyState !== 'open' || channel.bufferedAmount > MAX_BUFFERED_BYTES) {
          this.stats.txDropped++;
          continue;
        }
        channel.send(frame);
        this.stats.txFrames++;
      }
    }
  }

  /** A frame from a remote host for a local one: gathered, delivered at the end of the turn. */
  private toHost(local: string, remote: string, frame: Uint8Array): void {
    this.stats.rxFrames++;
    const key = `${local}|${remote}`;
    let batch = this.inbound.get(key);
    if (!batch) this.inbound.set(key, (batch = { from: remote, frames: [] }));
    batch.frames.push(frame);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flushInbound());
  }

  private flushInbound(): void {
    this.flushQueued = false;
    for (const [key, { from, frames }] of this.inbound) {
      const port = this.relays.get(key.slice(0, key.indexOf('|')));
      if (!port) continue;
      const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of frames) {
        bytes.set(f, at);
        at += f.length;
      }
      const message: WireMessage = {
        from,
        bytes: bytes.buffer,
        lengths: frames.map((f) => f.length),
      };
      port.postMessage(message, [bytes.buffer]);
    }
    this.inbound.clear();
  }
}
