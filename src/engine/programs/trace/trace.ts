// trace COMMAND [ARG...]: runs COMMAND with the packet journey recorder on, on every host of
// the lab, then prints the journey, one line per frame (the Journey panel shows it too).
// Ours, like `download`: no Linux tool follows one packet across hosts.

import type { Program } from '../types.ts';

const USAGE =
  'Usage: trace COMMAND [ARG]...\n' +
  'Run COMMAND with the packet journey recorder on, on every host of the lab, then print\n' +
  'every frame the hosts saw meanwhile, in order (the Journey panel shows them as well).\n';

export const trace: Program = async (argv, io, host) => {
  let from = 1;
  if (argv[1] === '--help') {
    io.stdout(USAGE);
    return 0;
  }
  if (argv[1] === '--') from = 2;
  else if (argv[1]?.startsWith('-')) {
    io.stderr(
      `trace: invalid option -- '${argv[1].slice(1)}'\nTry 'trace --help' for more information.\n`,
    );
    return 1;
  }
  const command = argv.slice(from);
  if (command.length === 0) {
    io.stderr("trace: missing command\nTry 'trace --help' for more information.\n");
    return 1;
  }
  const journey = io.journey;
  if (!journey) {
    io.stderr('trace: no lab to record in\n');
    return 1;
  }
  await journey.start();
  let status: number;
  try {
    status = await host.exec(command, io, host.netns);
  } finally {
    const lines = await journey.stop();
    io.stdout(`\n--- packet journey: ${lines.length} frames ---\n`);
    for (const line of lines) io.stdout(`${line}\n`);
  }
  return status;
};
