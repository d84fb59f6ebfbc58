// How every browser run here starts Debian's Chromium (e2e tests and the bench): no sandbox
// (root in a container), no GPU, and nothing that reaches for the network, which is closed.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
