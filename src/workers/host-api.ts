// What the UI and a host worker say to each other (over Comlink). Plain data only.

import type { ClockParams } from '../engine/os/realtime-clock.ts';
import type { QuietReport } from './clock-steps.ts';
import type { HostFacts, ScriptResult, WatchTarget } from '../engine/lab/lesson-probe.ts';
import type { Backend, HostConfig } from '../engine/lab/params.ts';
import type { WireStats } from '../engine/lab/wire.ts';
import type { HostJourney } from '../engine/kernel/journey.ts';
import type { JourneyControl } from '../engine/programs/types.ts';

export interface HostStartConfig {
  labId: string;
  host: HostConfig;
  backend: Backend;
  network: string;
  subnetLen: number;
  podsPerHost: number;
  /** The article's lab the host belongs to (engine/lab/scenarios/), which then boots it. */
  scenario?: string | null;
  clock: ClockParams;
  /**
   * The kernel, compiled once by the page and shared by every host of the tab (one copy of its
   * machine code, one compile); without it the worker compiles its own.
   */
  kernelModule?: WebAssembly.Module;
  /** The shell history the page kept from earlier sessions (bash's HISTFILE), oldest first. */
  history?: string[];
}

/** The word under the cursor is line[start..cursor); each candidate may replace it. */
export interface Completion {
  start: number;
  candidates: string[];
}

export type OutputStream = 'stdout' | 'stderr';

/** Receives a file a program (`download`) sends to the person at the terminal. */
export type DownloadSink = (name: string, bytes: Uint8Array) => void;

/** Packets a link has sent and received (the kernel's counters, as `ip -s link` shows them). */
export interface PacketCounts {
  rxPackets: number;
  txPackets: number;
}

export interface LinkView extends PacketCounts {
  name: string;
  kind: string;
  up: boolean;
  /** LOWER_UP: the link has carrier (a NIC whose cable is cut has none). */
  carrier: boolean;
  address?: string;
  /** A root qdisc added with tc, as `tc qdisc show` words it ('netem delay 100ms loss 20%'). */
  qdisc?: string;
}

export interface PodView extends PacketCounts {
  /** The pod's network namespace. */
  name: string;
  ip: string;
}

/** Where a capture runs: an interface of the host, or of a pod (`netns`). */
export interface CaptureTarget {
  /** A pod's namespace; absent for the host's own interfaces. */
  netns?: string;
  ifname: string;
}

/** What the topology view draws for one host. */
export interface HostSnapshot {
  hostname: string;
  eth0: string;
  backend: Backend;
  /** The host is running and its shell answers. */
  up: boolean;
  /** flanneld has written /run/flannel/subnet.env (always true while there is no flanneld). */
  ready: boolean;
  flanneld: 'absent' | 'starting' | 'running' | 'stopped' | 'failed';
  /** The subnet leased by flanneld, e.g. '10.244.1.0/24'. */
  subnet: string | null;
  pods: PodView[];
  links: LinkView[];
  /** Routes to other hosts' subnets, as `ip route` shows them ('10.244.2.0/24 via 10.244.2.0 dev flannel.1'). */
  peerRoutes: string[];
  wire: WireStats & { macs: number };
  /** Lab time of this snapshot. */
  at: number;
}

export interface HostWorkerApi {
  /**
   * Boots the host. `wantPeer` is called the first time the host sends a frame to a host it
   * has no direct port to; the page answers with `connectPeer` when that host is in this tab.
   */
  start(
    config: HostStartConfig,
    kvPort: MessagePort,
    wantPeer?: (hostId: string) => void,
  ): Promise<HostSnapshot>;
  /** A direct wire to another host of this tab (frames skip the BroadcastChannel). */
  connectPeer(hostId: string, port: MessagePort): void;
  /** That host is gone. */
  disconnectPeer(hostId: string): void;
  /** The page's relay to hosts in other browsers (a lab on a real etcd; remote-wire.ts). */
  connectRemote(port: MessagePort): void;
  /** Resolves once the node's boot is over (subnet leased and pods up, or failed). */
  booted(): Promise<HostSnapshot>;
  setClock(params: ClockParams): void;
  /** A fast-forward steps the host's paused clock (see clock-steps.ts). */
  clockDeadline(): number;
  clockStepTo(t: number): Promise<void>;
  clockQuiet(): QuietReport;
  /**
   * Runs one shell line in a terminal's session (0: the console's login shell, others from
   * `openSession`); output streams through `output` while it runs, files sent with `download`
   * through `download`. Resolves to $?.
   */
  run(
    line: string,
    output: (stream: OutputStream, text: string) => void,
    download?: DownloadSink,
    session?: number,
    journey?: JourneyControl,
  ): Promise<number>;
  /** Starts this host's packet journey recorder (the page starts every host's, for `trace`). */
  journeyStart(): void;
  /** Stops it; resolves to what it recorded. */
  journeyStop(): Promise<HostJourney>;
  /** Logs in another shell session on the host (a new terminal); resolves to its number. */
  openSession(): Promise<number>;
  /** False once `exit` has ended the session (its terminal closes); the console's never ends. */
  hasSession(session: number): Promise<boolean>;
  /** The namespace the terminal's shell is in: '' for the host's, a pod's after `ip netns exec pod1 bash`. */
  shellNetns(session?: number): Promise<string>;
  /** The shell's history, oldest first (`history` lists it, arrow-up walks it). */
  history(session?: number): Promise<string[]>;
  /** Starts `tcpdump -i IF -w /tmp/IF.pcap` in the background; resolves to the file's path. */
  startCapture(target: CaptureTarget): Promise<string>;
  /** Stops that capture; resolves to the pcap file's name and bytes (null when none runs). */
  stopCapture(target: CaptureTarget): Promise<{ name: string; bytes: Uint8Array } | null>;
  /** Captures running, as `netns/ifname` keys ('/eth0', 'pod1/eth0'). */
  captures(): Promise<string[]>;
  /** Ctrl-C: aborts the running line, if any. */
  interrupt(session?: number): void;
  /** Ctrl-Z: stops the running line (it becomes a Stopped job and `run` resolves to 148). */
  suspend(session?: number): void;
  /** Whether the text typed so far is an unfinished command (the terminal prompts `> `). */
  isIncomplete(source: string, session?: number): Promise<boolean>;
  complete(line: string, cursor: number, session?: number): Promise<Completion>;
  snapshot(): Promise<HostSnapshot>;
  /** Cuts (false) or restores (true) the cable of the host's NIC: its carrier. */
  setCable(plugged: boolean): void;
  /** A lesson's check: a script in a fresh bash, beside whatever the terminal runs. */
  runScript(script: string): Promise<ScriptResult>;
  /** A lesson step's capture tap: counts frames matching a tcpdump filter from now on. */
  watchFrames(target: WatchTarget): Promise<number>;
  framesSeen(id: number): Promise<number>;
  unwatchFrames(id: number): void;
  /** The host's addresses for a lesson's {{node2.pod1}} placeholders. */
  facts(): Promise<HostFacts>;
}
