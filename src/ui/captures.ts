// Background captures started from the topology: a first click starts `tcpdump -w` on an
// interface, a second one stops it and saves the pcap on the user's machine.

import type * as Comlink from 'comlink';
import type { CaptureTarget, HostWorkerApi } from '../workers/host-api.ts';
import type { HostState } from './host-state.svelte.ts';
import { saveFile } from './save-file.ts';

/** Starts or stops the capture on `target`; resolves to its state: true while running. */
export async function toggleCapture(
  api: Comlink.Remote<HostWorkerApi>,
  host: HostState,
  target: CaptureTarget,
): Promise<boolean> {
  const key = `${target.netns ?? ''}/${target.ifname}`;
  if (host.captures.includes(key)) {
    host.captures = host.captures.filter((k) => k !== key);
    const file = await api.stopCapture(target);
    if (file) saveFile(`${host.config.hostname}-${file.name}`, file.bytes);
    return false;
  }
  await api.startCapture(target);
  host.captures = [...host.captures, key];
  return true;
}
