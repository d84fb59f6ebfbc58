// The real wasm kernel for unit tests: the module is compiled once per test file, each call
// instantiates a fresh host.

import { Kernel } from '../kernel/kernel.ts';
import { loadKernelModule } from '../kernel/load-node.ts';
import { ROOT_NS, type KernelApi } from '../kernel/types.ts';
import type { LabClock } from '../os/clock.ts';

let modulePromise: Promise<WebAssembly.Module> | null = null;

/** The compiled kernel.wasm, shared by every kernel of the test file. */
export function kernelModule(): Promise<WebAssembly.Module> {
  modulePromise ??= loadKernelModule();
  return modulePromise;
}

export async function testKernel(
  clock: LabClock,
  opts: { random?: () => number; hostname?: string } = {},
): Promise<Kernel> {
  return Kernel.create({ module: await kernelModule(), clock, ...opts });
}

/** A NIC `name` with `cidr`, up, and a default route via `gateway` when given. */
export function addUplink(kernel: KernelApi, name: string, cidr: string, gateway?: string): number {
  const [local, len] = cidr.split('/');
  const ifindex = kernel.linkAdd(ROOT_NS, { name, kind: 'ether' });
  kernel.addrAdd(ROOT_NS, { ifindex, local: local ?? '', prefixlen: Number(len) });
  kernel.linkSet(ROOT_NS, ifindex, { up: true });
  if (gateway !== undefined)
    kernel.routeAdd(ROOT_NS, { dst: '0.0.0.0', dstLen: 0, gateway, oif: ifindex });
  return ifindex;
}
