// A host's worker: exposes HostRuntime to the UI over Comlink (wiring only; logic lives in
// host-runtime.ts and the engine).

import * as Comlink from 'comlink';
import type { ClockParams } from '../engine/os/realtime-clock.ts';
import { BroadcastTransport } from './broadcast-transport.ts';
import type {
  CaptureTarget,
  DownloadSink,
  HostStartConfig,
  HostWorkerApi,
  OutputStream,
} from './host-api.ts';
import { TerminalOutput } from './terminal-output.ts';
import { HostRuntime } from './host-runtime.ts';
import { wrapKvPort } from './kv-remote.ts';
import { PROGRAMS_ON_DEMAND } from './programs-on-demand.ts';
import kernelUrl from '../engine/kernel/build/kernel.wasm?url';

/** Read once: the getter crosses into the browser on every call, and the clock is read per frame. */
const timeOrigin = performance.timeOrigin;

// The page normally hands over the kernel it compiled for every host; this is the fallback.
let kernelModule: Promise<WebAssembly.Module> | null = null;

/** The wire's transport, once the host has started; the page joins same-tab peers to it. */
let transport: BroadcastTransport | null = null;
let peerWanted: ((hostId: string) => void) | undefined;

const runtime = new HostRuntime({
  source: () => timeOrigin + performance.now(),
  schedule: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  transport: (labId, hostId) => {
    transport = new BroadcastTransport(labId, hostId);
    transport.onPeerWanted = (peer) => peerWanted?.(peer);
    return transport;
  },
  loadKernel: () => (kernelModule ??= WebAssembly.compileStreaming(fetch(kernelUrl))),
  programs: PROGRAMS_ON_DEMAND,
});

const api: HostWorkerApi = {
  start(config: HostStartConfig, kvPort: MessagePort, wantPeer?: (hostId: string) => void) {
    peerWanted = wantPeer;
    return runtime.start(config, wrapKvPort(kvPort));
  },
  connectPeer(hostId: string, port: MessagePort) {
    transport?.connectPeer(hostId, port);
  },
  disconnectPeer(hostId: string) {
    transport?.disconnectPeer(hostId);
  },
  booted() {
    return runtime.booted();
  },
  setClock(params: ClockParams) {
    runtime.setClock(params);
  },
  clockDeadline: () => runtime.clockDeadline(),
  clockStepTo: (t) => runtime.clockStepTo(t),
  clockQuiet: () => runtime.clockQuiet(),
  async run(
    line: string,
    output: (stream: OutputStream, text: string) => void,
    download?: DownloadSink,
    session = 0,
  ) {
    // `output` and `download` are Comlink proxies: each call is a message of its own. Resolve
    // only once every one of them has been handled, so the caller never sees `$?` before the
    // last line (or file); a program that asks waits while the page is behind.
    const out = new TerminalOutput();
    const status = await runtime.run(
      line,
      (stream, text) => out.send(() => output(stream, text)),
      download && ((name, bytes) => out.send(() => download(name, bytes))),
      () => out.ready(),
      session,
    );
    await out.drained();
    return status;
  },
  async openSession() {
    return runtime.openSession();
  },
  async hasSession(session: number) {
    return runtime.hasSession(session);
  },
  interrupt(session = 0) {
    runtime.interrupt(session);
  },
  suspend(session = 0) {
    runtime.suspend(session);
  },
  async isIncomplete(source: string, session = 0) {
    return runtime.isIncomplete(source, session);
  },
  complete(line: string, cursor: number, session = 0) {
    return runtime.complete(line, cursor, session);
  },
  snapshot() {
    return runtime.snapshot();
  },
  async shellNetns(session = 0) {
    return runtime.shellNetns(session);
  },
  async history(session = 0) {
    return runtime.history(session);
  },
  startCapture(target: CaptureTarget) {
    return runtime.startCapture(target);
  },
  async stopCapture(target: CaptureTarget) {
    const file = await runtime.stopCapture(target);
    return file && Comlink.transfer(file, [file.bytes.buffer]);
  },
  async captures() {
    return runtime.runningCaptures();
  },
};

Comlink.expose(api);
