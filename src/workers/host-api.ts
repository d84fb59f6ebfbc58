// What the UI and a host worker say to each other (over Comlink). Plain data only.

import type { ClockParams } from '../engine/lab/realtime-clock.ts';
import type { Backend, HostConfig } from '../engine/lab/params.ts';
import type { WireStats } from '../engine/lab/wire.ts';

export interface HostStartConfig {
  labId: string;
  host: HostConfig;
  backend: Backend;
  network: string;
  subnetLen: number;
  podsPerHost: number;
  clock: ClockParams;
}

/** The word under the cursor is line[start..cursor); each candidate may replace it. */
export interface Completion {
  start: number;
  candidates: string[];
}

export type OutputStream = 'stdout' | 'stderr';

export interface LinkView {
  name: string;
  kind: string;
  up: boolean;
  address?: string;
}

export interface PodView {
  name: string;
  ip: string;
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
  flanneld: 'absent' | 'starting' | 'running' | 'failed';
  /** The subnet leased by flanneld, e.g. '10.244.1.0/24'. */
  subnet: string | null;
  pods: PodView[];
  links: LinkView[];
  wire: WireStats & { macs: number };
  /** Lab time of this snapshot. */
  at: number;
}

export interface HostWorkerApi {
  start(config: HostStartConfig, kvPort: MessagePort): Promise<HostSnapshot>;
  setClock(params: ClockParams): void;
  /** Runs one shell line; output streams through `output` while it runs. Resolves to $?. */
  run(line: string, output: (stream: OutputStream, text: string) => void): Promise<number>;
  /** Ctrl-C: aborts the running line, if any. */
  interrupt(): void;
  complete(line: string, cursor: number): Promise<Completion>;
  snapshot(): Promise<HostSnapshot>;
}
