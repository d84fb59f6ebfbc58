// Compiles the AssemblyScript kernel to src/engine/kernel/build/kernel.wasm.
// Run by `npm run build`, `npm test` and `npm run bench`, so nobody runs it by hand.
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const src = 'src/engine/kernel/assembly';
const out = 'src/engine/kernel/build';
const wasm = join(out, 'kernel.wasm');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, t);
  }
  return newest;
}

if (
  existsSync(wasm) &&
  statSync(wasm).mtimeMs >= newestSource(src) &&
  !process.argv.includes('--force')
) {
  console.log(`kernel: ${wasm} is up to date`);
} else {
  mkdirSync(out, { recursive: true });
  execFileSync(
    'npx',
    [
      'asc',
      join(src, 'index.ts'),
      '--outFile',
      wasm,
      '--textFile',
      join(out, 'kernel.wat'),
      '--optimize',
      '--optimizeLevel',
      '3',
      '--shrinkLevel',
      '0',
      // The minimal runtime has no shadow stack (the incremental one spills every managed
      // local to it, which made the packet path 2.5x slower); the wrapper calls __collect()
      // between calls, when no wasm frame is live.
      '--runtime',
      'minimal',
      '--exportRuntime',
      '--noAssert',
      '--enable',
      'simd',
      '--initialMemory',
      '32',
    ],
    { stdio: 'inherit' },
  );
  console.log(`kernel: built ${wasm} (${statSync(wasm).size} bytes)`);
}
