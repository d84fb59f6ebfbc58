import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { deflateSync, gzipSync } from 'node:zlib';
import { encodePng, renderIcon } from './src/ui/pwa-icon.ts';
import { contentSecurityPolicy } from './src/ui/csp.ts';

const ICONS = [
  { file: 'icons/icon-192.png', size: 192, maskable: false },
  { file: 'icons/icon-512.png', size: 512, maskable: false },
  { file: 'icons/icon-maskable-512.png', size: 512, maskable: true },
];

/** Emits the manifest's PNG icons, drawn by src/ui/pwa-icon.ts (nothing downloaded). */
function pwaIcons(): Plugin {
  return {
    name: 'flannel-pwa-icons',
    apply: 'build',
    generateBundle() {
      for (const icon of ICONS) {
        const png = encodePng(renderIcon(icon.size, icon.maskable), icon.size, (d) =>
          deflateSync(d, { level: 9 }),
        );
        this.emitFile({ type: 'asset', fileName: icon.file, source: png });
      }
    },
  };
}

/** Puts the site's Content-Security-Policy (src/ui/csp.ts) first in every built page's <head>. */
function cspMeta(): Plugin {
  return {
    name: 'flannel-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Prints the gzip size of what the first view loads: the page's entry and its static imports,
 * (static and dynamic), the workers it starts, their wasm and any CSS (the widget's embed.js
 * is listed apart).
 */
function firstViewSize(): Plugin {
  return {
    name: 'flannel-first-view-size',
    apply: 'build',
    writeBundle(_options, bundle) {
      if (!('index.html' in bundle)) return; // a worker's own sub-build
      const files = new Set<string>();
      const visit = (name: string) => {
        const item = bundle[name];
        if (!item || files.has(name)) return;
        files.add(name);
        if (item.type === 'chunk') [...item.imports, ...item.dynamicImports].forEach(visit);
      };
      for (const [name, item] of Object.entries(bundle)) {
        if (item.type === 'chunk' && item.isEntry && item.name === 'index') visit(name);
        if (/\.(css|wasm)$/.test(name) || /\.worker-[^/]*\.js$/.test(name)) files.add(name);
      }
      const sizeOf = (name: string) => {
        const item = bundle[name];
        const source = item.type === 'chunk' ? item.code : item.source;
        return { raw: Buffer.byteLength(source), gzip: gzipSync(source, { level: 9 }).length };
      };
      const rows = [...files].sort().map((name) => ({ name, ...sizeOf(name) }));
      const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), {
        raw: 0,
        gzip: 0,
      });
      const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`.padStart(10);
      const lines = rows.map((r) => `  ${r.name.padEnd(44)}${kb(r.raw)}  gzip ${kb(r.gzip)}`);
      const embed = bundle['embed.js'] ? sizeOf('embed.js') : null;
      console.log(
        [
          '',
          'first view (JS, CSS, wasm):',
          ...lines,
          `  ${'total'.padEnd(44)}${kb(total.raw)}  gzip ${kb(total.gzip)}`,
          embed
            ? `  ${'embed.js (widget entry)'.padEnd(44)}${kb(embed.raw)}  gzip ${kb(embed.gzip)}`
            : '',
        ].join('\n'),
      );
    },
  };
}

export default defineConfig({
  // Relative base: dist/ deploys under any sub-path of any static host.
  base: './',
  plugins: [
    // Component styles travel inside the JS and are injected where the component is mounted:
    // the page's <head>, or the widget's shadow root.
    svelte({ emitCss: false }),
    pwaIcons(),
    cspMeta(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false, // App.svelte registers it (the widget never does)
      includeAssets: ['favicon.svg'],
      manifest: {
        name: 'Flannel Playground',
        short_name: 'Flannel',
        description:
          'An offline lab that shows how flannel networks a Kubernetes cluster, in the browser.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#0a0d12',
        theme_color: '#1f6feb',
        icons: [
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          ...ICONS.map((i) => ({
            src: i.file,
            sizes: `${i.size}x${i.size}`,
            type: 'image/png',
            purpose: i.maskable ? 'maskable' : 'any',
          })),
        ],
      },
      workbox: {
        // Every asset, the workers' chunks and the kernel's wasm included.
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // Only the app's own page falls back to it (the folder itself or index.html, with any
        // query): another page of the folder, or one that does not exist, goes to the server,
        // which serves it or says 404. (embed.html is precached and served as itself.)
        navigateFallbackAllowlist: [/\/(index\.html)?(\?.*)?$/],
        cleanupOutdatedCaches: true,
        // The first service worker takes the open page at once, so even a first visit is
        // served offline later and sees the update prompt (skipWaiting waits for the user).
        clientsClaim: true,
      },
    }),
    firstViewSize(),
  ],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: { index: 'index.html', embed: 'embed.html' },
      output: {
        // The widget's module keeps a stable name: docs pages load `.../embed.js`.
        entryFileNames: (chunk) =>
          chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js',
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
