// Loads the compiled kernel in Node (tests, bench). The browser loads it with Vite's `?url`.
import { readFile } from 'node:fs/promises';

export async function loadKernelModule(): Promise<WebAssembly.Module> {
  const bytes = await readFile(new URL('./build/kernel.wasm', import.meta.url));
  return WebAssembly.compile(bytes);
}
