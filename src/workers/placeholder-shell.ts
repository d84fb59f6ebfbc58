// A stand-in shell until the real one (src/engine/shell/, createShell) and Host land.
// It knows `hostname`, `help`, `echo` and `sleep`, and answers everything else as bash does.
// The interface is the slice of createShell's result the worker uses, so the swap is one line.

import type { ProgramIO } from '../engine/programs/types.ts';
import type { LabClock } from '../engine/lab/clock.ts';
import type { Completion } from './host-api.ts';

export interface WorkerShell {
  run(line: string, io: ProgramIO): Promise<number>;
  complete(line: string, cursor: number): Completion;
}

const COMMANDS = ['echo', 'help', 'hostname', 'sleep'];

export function createPlaceholderShell(hostname: string, clock: LabClock): WorkerShell {
  const programs: Record<string, (args: string[], io: ProgramIO) => Promise<number>> = {
    hostname: async (_args, io) => {
      io.stdout(`${hostname}\n`);
      return 0;
    },
    echo: async (args, io) => {
      io.stdout(`${args.join(' ')}\n`);
      return 0;
    },
    help: async (_args, io) => {
      io.stdout(`This host is still booting its network stack. Commands: ${COMMANDS.join(', ')}\n`);
      return 0;
    },
    sleep: async (args, io) => {
      if (args.length === 0) {
        io.stderr("sleep: missing operand\nTry 'sleep --help' for more information.\n");
        return 1;
      }
      const seconds = Number(args[0]);
      if (!/^\d+(\.\d+)?$/.test(args[0]) || !Number.isFinite(seconds)) {
        io.stderr(
          `sleep: invalid time interval '${args[0]}'\nTry 'sleep --help' for more information.\n`,
        );
        return 1;
      }
      try {
        await clock.sleep(seconds * 1000, io.signal);
        return 0;
      } catch {
        return 130;
      }
    },
  };
  return {
    async run(line, io) {
      const argv = line.trim().split(/\s+/).filter(Boolean);
      if (argv.length === 0) return 0;
      const program = programs[argv[0]];
      if (!program) {
        io.stderr(`bash: ${argv[0]}: command not found\n`);
        return 127;
      }
      return program(argv.slice(1), io);
    },
    complete(line, cursor) {
      const before = line.slice(0, cursor);
      const start = before.search(/\S*$/);
      const word = before.slice(start);
      // Only the command word completes here: no files in the placeholder.
      if (before.slice(0, start).trim() !== '') return { start, candidates: [] };
      return { start, candidates: COMMANDS.filter((c) => c.startsWith(word)) };
    },
  };
}
