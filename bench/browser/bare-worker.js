// A bare worker for the browser bench's baselines: no wasm, no kernel, just BroadcastChannels
// (or, with `port`, a MessagePort the page joined to another bare worker).
// The page tells it what to be with one message: { role, ... } (see bare.html).
const now = () => performance.now();

/** Two ends to talk on: the MessagePort the page handed over, or two named BroadcastChannels. */
function channels(msg, first, second) {
  return msg.port
    ? [msg.port, msg.port]
    : [new BroadcastChannel(first), new BroadcastChannel(second)];
}

function echo(msg) {
  // Answers every message on `in` with the same message on `out`.
  const [rx, tx] = channels(msg, msg.in, msg.out);
  rx.onmessage = (e) => tx.postMessage(e.data);
  postMessage('ready');
}

function pinger(msg) {
  // Sends `count` messages of `size` bytes one at a time; each waits for its echo, then
  // `gapMs` (0: at once; ping -i 0.01 paces its probes 10 ms apart, and idle threads wake slower).
  const [rx, tx] = channels(msg, msg.in, msg.out);
  const rtts = [];
  const payload = new Uint8Array(msg.size);
  let sent = 0;
  let t0 = 0;
  const next = () => {
    t0 = now();
    payload[0] = sent & 0xff;
    tx.postMessage(payload);
  };
  rx.onmessage = () => {
    const rtt = (now() - t0) * 1000;
    if (sent >= msg.warmup) rtts.push(rtt);
    sent++;
    if (sent >= msg.count + msg.warmup) postMessage(rtts);
    else if (msg.gapMs) setTimeout(next, msg.gapMs);
    else next();
  };
  next();
}

function receiver(msg) {
  // Counts frames (messages x frames per message); acks every `ackEvery` messages so the
  // sender keeps at most `window` messages in flight (BroadcastChannel has no backpressure).
  const [rx, ack] = channels(msg, msg.in, msg.ack);
  let messages = 0;
  let frames = 0;
  let bytes = 0;
  let markAt = 0;
  let markFrames = 0;
  rx.onmessage = (e) => {
    const batch = e.data;
    messages++;
    frames += batch.length;
    for (const f of batch) bytes += f.byteLength;
    if (messages % msg.ackEvery === 0) ack.postMessage(messages);
  };
  setTimeout(() => {
    markAt = now();
    markFrames = frames;
    setTimeout(() => {
      const seconds = (now() - markAt) / 1000;
      postMessage({ framesPerSecond: (frames - markFrames) / seconds, bytes });
      ack.postMessage(-1);
    }, msg.ms);
  }, msg.warmupMs);
  postMessage('ready');
}

function sender(msg) {
  const [tx, ack] = channels(msg, msg.out, msg.ack);
  let sent = 0;
  let acked = 0;
  let stopped = false;
  const pump = () => {
    while (!stopped && sent - acked < msg.window) {
      const batch = [];
      for (let i = 0; i < msg.batch; i++) {
        const frame = new Uint8Array(msg.size);
        frame[0] = sent & 0xff;
        batch.push(frame);
      }
      tx.postMessage(batch);
      sent++;
    }
  };
  ack.onmessage = (e) => {
    if (e.data < 0) {
      stopped = true;
      postMessage('done');
      return;
    }
    acked = e.data;
    pump();
  };
  pump();
}

onmessage = (e) => {
  const msg = e.data;
  if (msg.role === 'echo') echo(msg);
  else if (msg.role === 'pinger') pinger(msg);
  else if (msg.role === 'receiver') receiver(msg);
  else if (msg.role === 'sender') sender(msg);
  else if (msg.role === 'idle') {
    // What a host worker has at least: one BroadcastChannel listener.
    const bc = new BroadcastChannel(msg.in);
    bc.onmessage = () => {};
    postMessage('ready');
  }
};
postMessage('up');
