// Every scenario, by id: one file each (see ./format.ts for what a scenario holds).

import type { Scenario } from './format.ts';
import seed000 from './seed-000.ts';
import seed001 from './seed-001.ts';
import seed002HostGw from './seed-002-host-gw.ts';
import seed002Udp from './seed-002-udp.ts';
import seed002Vxlan from './seed-002-vxlan.ts';

export type { Scenario, ScenarioHost, ScenarioFile, ScenarioPod, HostRole } from './format.ts';

export const SCENARIOS: readonly Scenario[] = [
  seed000,
  seed001,
  seed002HostGw,
  seed002Udp,
  seed002Vxlan,
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
