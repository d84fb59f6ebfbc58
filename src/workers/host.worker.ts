// A host's worker: exposes HostRuntime to the UI over Comlink (wiring only; logic lives in
// host-runtime.ts and the engine).

import * as Comlink from 'comlink';
import type { ClockParams } from '../engine/lab/realtime-clock.ts';
import { BroadcastTransport } from './broadcast-transport.ts';
import type { HostStartConfig, HostWorkerApi, OutputStream } from './host-api.ts';
import { HostRuntime } from './host-runtime.ts';

const runtime = new HostRuntime({
  source: () => performance.timeOrigin + performance.now(),
  schedule: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  transport: (labId, hostId) => new BroadcastTransport(labId, hostId),
});

let kv: MessagePort | null = null;

const api: HostWorkerApi = {
  start(config: HostStartConfig, kvPort: MessagePort) {
    // TODO(lead): hand `Comlink.wrap<KvClient>(kvPort)` to the Host (see host-runtime.ts).
    kv = kvPort;
    return runtime.start(config);
  },
  setClock(params: ClockParams) {
    runtime.setClock(params);
  },
  run(line: string, output: (stream: OutputStream, text: string) => void) {
    return runtime.run(line, output);
  },
  interrupt() {
    runtime.interrupt();
  },
  complete(line: string, cursor: number) {
    return runtime.complete(line, cursor);
  },
  snapshot() {
    return runtime.snapshot();
  },
};

void kv;
Comlink.expose(api);
