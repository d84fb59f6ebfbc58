// The remote wire (remote-wire.ts) with the browser's parts: the page's own KV client, real
// RTCPeerConnections, timers, and a BroadcastChannel that tells which tabs of the lab run in
// this browser (their hosts meet on BroadcastChannels already, so they get no WebRTC link).
// Loaded only for a lab on a real etcd.

import { wrapKvPort } from '../workers/kv-remote.ts';
import { RemoteWire, type RemoteHost } from './remote-wire.ts';
import { RtcSignalling } from './rtc-signalling.ts';

/** How long a tab of this browser takes at most to answer "are you here?". */
const PROBE_MS = 300;

export interface BrowserRemoteWireOptions {
  labId: string;
  tabId: string;
  /** The page's end of a port the KV worker serves the lab's etcd on. */
  kvPort: MessagePort;
  connectHost: (hostname: string, port: MessagePort) => void;
  onChange: (hosts: RemoteHost[]) => void;
}

export function browserRemoteWire(opts: BrowserRemoteWireOptions): RemoteWire {
  const warn = (m: string) => console.warn(m);
  const probe = new BroadcastChannel(`flannel-playground/${opts.labId}/tabs`);
  probe.onmessage = (e: MessageEvent) => {
    const m = e.data as { ask?: unknown } | null;
    if (m?.ask === opts.tabId) probe.postMessage({ here: opts.tabId });
  };
  const sameBrowser = (tab: string) =>
    new Promise<boolean>((resolve) => {
      const asking = new BroadcastChannel(probe.name);
      const done = (here: boolean) => {
        clearTimeout(timer);
        asking.close();
        resolve(here);
      };
      const timer = setTimeout(() => done(false), PROBE_MS);
      asking.onmessage = (e: MessageEvent) => {
        if ((e.data as { here?: unknown } | null)?.here === tab) done(true);
      };
      asking.postMessage({ ask: tab });
    });
  const setTimer = (ms: number, fn: () => void) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  };
  const wire = new RemoteWire({
    signalling: new RtcSignalling({
      kv: wrapKvPort(opts.kvPort),
      labId: opts.labId,
      tabId: opts.tabId,
      every: (ms, fn) => {
        const id = setInterval(fn, ms);
        return () => clearInterval(id);
      },
      warn,
    }),
    tabId: opts.tabId,
    sameBrowser,
    // No STUN or TURN server: a classroom's browsers share a LAN, and the lab works offline.
    createPeerConnection: () => new RTCPeerConnection({ iceServers: [] }),
    connectHost: opts.connectHost,
    onChange: opts.onChange,
    setTimer,
    warn,
  });
  const close = wire.close.bind(wire);
  wire.close = () => {
    probe.close();
    close();
  };
  return wire;
}
