// The site's Content-Security-Policy, one list for both pages (index.html, embed.html; the
// build puts it in a <meta> of each, see vite.config.ts) and for a server that sends it as a
// header. Scripts come only from the site (no inline script, no eval); 'wasm-unsafe-eval' lets
// the kernel's WebAssembly compile; the workers are the site's own scripts. Styles may be inline:
// Svelte injects each component's styles as a <style> and xterm.js sets style attributes.
//
// connect-src: the page itself fetches only from the site. The etcd a lab is given (?etcd=) is
// reached by the KV worker, which a <meta> policy does not govern (a worker's policy is that of
// its own script's response) and which connects to the endpoints named there and nothing else.
// A host that can send headers sends `contentSecurityPolicy(etcdOrigins)` with every response
// (pages and worker scripts alike), naming the classroom's etcd client URLs, and then nothing in
// the site can connect anywhere else.

export function contentSecurityPolicy(etcdOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ['connect-src', "'self'", ...etcdOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}
