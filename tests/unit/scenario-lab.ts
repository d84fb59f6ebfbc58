// A scenario's lab in one process (a LocalLab): the article's hosts on one wire and one KV,
// each booted from the scenario as its worker boots it in the browser.
import { LocalLab, seededRandom } from '../../src/engine/lab/local-lab.ts';
import { bootScenarioHost, ensureScenarioConfig } from '../../src/engine/lab/scenario-boot.ts';
import { findScenario, type Scenario } from '../../src/engine/lab/scenarios/index.ts';
import { scenarioEnv } from '../../src/engine/lab/scenario-env.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { kernelModule } from '../../src/engine/testing/kernel.ts';

/** The seed articles' dates: 2018-09-10 01:30 UTC. */
export const SCENARIO_START = Date.UTC(2018, 8, 10, 1, 30, 0);

export async function scenarioLab(
  id: string,
  seed = 3,
): Promise<{ lab: LocalLab; scenario: Scenario }> {
  const scenario = findScenario(id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  const lab = LocalLab.create({
    module: await kernelModule(),
    clock: new ManualClock(SCENARIO_START),
    random: seededRandom(seed),
  });
  await ensureScenarioConfig(lab.kv, scenario);
  const hosts = [];
  for (const h of scenario.hosts)
    hosts.push(await lab.addHost({ hostname: h.hostname, nic: h.nic, env: scenarioEnv(scenario) }));
  await lab.drive(Promise.all(hosts.map((h) => bootScenarioHost(h, scenario))), 120_000);
  return { lab, scenario };
}
