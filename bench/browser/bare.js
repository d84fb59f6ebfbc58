// The baseline functions the bench calls with page.evaluate (window.bare.*).
const WORKER = new URL('./bare-worker.js', import.meta.url);
let live = [];
let seq = 0;

/** Starts a worker and resolves once its script runs ('up'). */
function start() {
  const w = new Worker(WORKER);
  live.push(w);
  return new Promise((resolve) => {
    w.onmessage = (e) => {
      if (e.data === 'up') resolve(w);
    };
  });
}

function reply(w, msg, transfer = []) {
  return new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(msg, transfer);
  });
}

function stopAll() {
  for (const w of live) w.terminate();
  live = [];
}

/** Round trips of `size`-byte messages between two bare workers over BroadcastChannels (µs). */
async function bcRtt(count, size, gapMs = 0) {
  const id = `bare-rtt-${seq++}`;
  const [a, b] = await Promise.all([start(), start()]);
  await reply(b, { role: 'echo', in: `${id}/ab`, out: `${id}/ba` });
  const rtts = await reply(a, {
    role: 'pinger',
    in: `${id}/ba`,
    out: `${id}/ab`,
    size,
    count,
    warmup: 50,
    gapMs,
  });
  stopAll();
  return rtts;
}

/** The same round trips over a MessagePort joining the two workers (the page hands out the ends). */
async function mpRtt(count, size, gapMs = 0) {
  const [a, b] = await Promise.all([start(), start()]);
  const { port1, port2 } = new MessageChannel();
  await reply(b, { role: 'echo', port: port2 }, [port2]);
  const rtts = await reply(a, { role: 'pinger', port: port1, size, count, warmup: 50, gapMs }, [
    port1,
  ]);
  stopAll();
  return rtts;
}

/** One-way frames/s from one bare worker to another, `batch` frames of `size` B per message. */
async function bcStream(size, batch, ms) {
  const id = `bare-stream-${seq++}`;
  const [tx, rx] = await Promise.all([start(), start()]);
  const channels = { in: `${id}/data`, out: `${id}/data`, ack: `${id}/ack` };
  await reply(rx, { role: 'receiver', ...channels, ackEvery: 128, warmupMs: 400, ms });
  const result = new Promise((resolve) => {
    rx.onmessage = (e) => resolve(e.data);
  });
  tx.postMessage({ role: 'sender', ...channels, size, batch, window: 1024 });
  const r = await result;
  stopAll();
  return r.framesPerSecond;
}

/** The same stream over a MessagePort joining the two workers. */
async function mpStream(size, batch, ms) {
  const [tx, rx] = await Promise.all([start(), start()]);
  const { port1, port2 } = new MessageChannel();
  await reply(rx, { role: 'receiver', port: port2, ackEvery: 128, warmupMs: 400, ms }, [port2]);
  const result = new Promise((resolve) => {
    rx.onmessage = (e) => resolve(e.data);
  });
  tx.postMessage({ role: 'sender', port: port1, size, batch, window: 1024 }, [port1]);
  const r = await result;
  stopAll();
  return r.framesPerSecond;
}

/** Spawns `n` idle workers; ms until every one has answered (they stay up until stopAll). */
async function spawn(n) {
  const t0 = performance.now();
  const workers = await Promise.all(Array.from({ length: n }, () => start()));
  await Promise.all(workers.map((w) => reply(w, { role: 'idle', in: `bare-idle-${seq++}` })));
  return performance.now() - t0;
}

window.bare = {
  bcRtt,
  mpRtt,
  mpStream,
  bcStream,
  spawn,
  stopAll,
  crossOriginIsolated: () => crossOriginIsolated,
};
