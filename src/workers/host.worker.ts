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
import { HostRuntime } from './host-runtime.ts';
import { OutputPacer } from './output-pacer.ts';
import type { JourneyControl } from '../engine/programs/types.ts';
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
  connectRemote(port: MessagePort) {
    transport?.connectRemote(port);
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
    journey?: JourneyControl,
  ) {
    // `output` and `download` are Comlink proxies: each call is a message of its own. Output
    // is paced (one call in flight, the rest merged), and a program that asks (`yes`, `cat`)
    // waits while the page is behind; resolve only once all of it and every file has been
    // handled, so the caller never sees `$?` before the last line (or file).
    const delivered: Promise<unknown>[] = [];
    const pacer = new OutputPacer((pieces) =>
      Promise.all(pieces.map(([stream, text]) => output(stream, text) as unknown)),
    );
    const status = await runtime.run(
      line,
      (stream, text) => pacer.write(stream, text),
      download &&
        ((name, bytes) => {
          delivered.push(Promise.resolve(download(name, bytes) as unknown));
        }),
      () => pacer.ready(),
      session,
      journey,
    );
    await Promise.all([pacer.drain(), ...delivered]);
    return status;
  },
  async openSession() {
    return runtime.openSession();
  },
  journeyStart() {
    runtime.journeyStart();
  },
  async journeyStop() {
    const j = runtime.journeyStop();
    return Comlink.transfer(
      j,
      j.frames.map((f) => f.data.buffer as ArrayBuffer),
    );
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
  setCable(plugged: boolean) {
    runtime.setCable(plugged);
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
  runScript: (script) => runtime.runScript(script),
  watchFrames: (target) => runtime.watchFrames(target),
  async framesSeen(id) {
    return runtime.framesSeen(id);
  },
  unwatchFrames: (id) => runtime.unwatchFrames(id),
  async facts() {
    return runtime.facts();
  },
};

Comlink.expose(api);
