// The big programs as a host worker runs them: each module is fetched the first time the program
// runs (a chunk of its own), so a booting host does not load what it may never run.
import { BIG_PROGRAMS, HOST_PROGRAMS, type BigPrograms } from '../engine/lab/programs.ts';
import type { Program } from '../engine/programs/types.ts';

function loadedOnFirstRun(load: () => Promise<Program>): Program {
  let program: Promise<Program> | null = null;
  const loaded = () =>
    (program ??= load().catch((err: unknown) => {
      program = null; // a failed fetch is tried again next time
      throw err;
    }));
  return async (argv, io, host) => (await loaded())(argv, io, host);
}

export const PROGRAMS_ON_DEMAND = Object.fromEntries(
  BIG_PROGRAMS.map((name) => [name, loadedOnFirstRun(HOST_PROGRAMS[name].lazy)]),
) as BigPrograms;
