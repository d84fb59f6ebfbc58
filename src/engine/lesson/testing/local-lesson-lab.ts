// A lesson's lab in one process (a LocalLab booted as the page boots its workers), answering
// the lesson runner as the page's workers do, for the lesson tests.

import { FrameWatches, hostFacts, runScript } from '../../lab/lesson-probe.ts';
import { LocalLab, seededRandom } from '../../lab/local-lab.ts';
import { bootNode, ensureNetworkConfig } from '../../lab/node-setup.ts';
import type { LabConfig } from '../../lab/params.ts';
import { ManualClock } from '../../os/clock.ts';
import { compileFilter } from '../../programs/tcpdump/filter.ts';
import type { LessonLab } from '../grade.ts';

/** The seeds' lease start: 2026-11-23 08:10:00 UTC. */
const LAB_START = Date.UTC(2026, 10, 23, 8, 10, 0);

export interface LocalLessonLab extends LessonLab {
  lab: LocalLab;
  /** Every line typed, as `host$ line` (what a learner would have seen typed). */
  typed: string[];
}

export async function bootLessonLab(
  module: WebAssembly.Module,
  config: LabConfig,
  seed = 1,
): Promise<LocalLessonLab> {
  const lab = LocalLab.create({
    module,
    clock: new ManualClock(LAB_START),
    random: seededRandom(seed),
  });
  await ensureNetworkConfig(lab.kv, {
    network: config.network,
    subnetLen: config.subnetLen,
    backend: config.backend,
  });
  const hosts = [];
  for (const h of config.hosts) hosts.push(await lab.addHost({ hostname: h.hostname }));
  await lab.drive(
    Promise.all(
      hosts.map((host, k) =>
        bootNode(host, { eth0: config.hosts[k].eth0, pods: config.podsPerHost }),
      ),
    ),
  );
  const watches = new Map<string, FrameWatches>();
  const watchesOf = (host: string) => {
    let w = watches.get(host);
    if (!w) watches.set(host, (w = new FrameWatches(lab.host(host))));
    return w;
  };
  const typed: string[] = [];
  return {
    lab,
    typed,
    script: (host, text) => lab.drive(runScript(lab.host(host), text), 600_000),
    type: async (host, line) => {
      typed.push(`${host}$ ${line}`);
      await lab.run(host, line);
      // Background jobs (`tcpdump ... &`) and what they print get their turn, as at a terminal.
      await lab.advance(10);
    },
    advance: (ms) => lab.advance(ms),
    watch: async (host, target) => watchesOf(host).watch(target, compileFilter(target.filter)),
    seen: async (host, id) => watchesOf(host).seen(id),
    unwatch: async (host, id) => watchesOf(host).unwatch(id),
    facts: async (host) => hostFacts(lab.host(host)),
  };
}
