// The big programs imported up front, for Node tests and the in-process lab.
import type { ProgramRegistry } from '../shell/index.ts';
import { BIG_PROGRAMS, HOST_PROGRAMS, createHostRegistry, type BigPrograms } from './programs.ts';

export const STATIC_PROGRAMS = Object.fromEntries(
  await Promise.all(BIG_PROGRAMS.map(async (name) => [name, await HOST_PROGRAMS[name].lazy()])),
) as BigPrograms;

export function createStaticHostRegistry(): ProgramRegistry {
  return createHostRegistry(STATIC_PROGRAMS);
}
