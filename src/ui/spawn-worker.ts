// Starts a module worker from a script URL. A worker must come from the page's origin, but
// the widget's embed.js may be served from another one (a docs page loading it from a CDN):
// then a same-origin blob module imports the real script (which the page could load as a
// module, so its server already allows it with CORS).

import hostWorkerUrl from '../workers/host.worker.ts?worker&url';
import kvWorkerUrl from '../workers/kv.worker.ts?worker&url';

export const WORKER_URLS = { host: hostWorkerUrl, kv: kvWorkerUrl };

export function spawnWorker(url: string, name: string): Worker {
  const absolute = new URL(url, import.meta.url);
  if (absolute.origin === location.origin) {
    return new Worker(absolute, { type: 'module', name });
  }
  const trampoline = new Blob([`import ${JSON.stringify(absolute.href)};`], {
    type: 'text/javascript',
  });
  const blobUrl = URL.createObjectURL(trampoline);
  const worker = new Worker(blobUrl, { type: 'module', name });
  // The worker has fetched the blob by the time it runs; revoking later keeps it valid.
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
  return worker;
}
