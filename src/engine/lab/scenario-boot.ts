// A scenario's host boots as the article's VM did: its files on disk, the NIC with its name and
// default route, its units defined from their unit files, then (in the article's order) etcd,
// flanneld under the lab's join lock, and, once flanneld has written subnet.env, the host's boot
// lines (mk-docker-opts.sh, `systemctl start docker`, the containers already running).

import type { KvClient } from '../kv/types.ts';
import type { Host } from './host.ts';
import { flanneldReady, FLANNELD_UNIT, setUpNic, startFlanneldJoined } from './node-setup.ts';
import type { Scenario, ScenarioHost } from './scenarios/index.ts';
import { defineUnitFromFile } from './units-from-files.ts';
import { TERMINAL_INPUT } from '../os/pipe.ts';
import { bootKubeHost } from './kube-boot.ts';

/** The article's network config under its prefix, unless one is there (a reloaded lab keeps its own). */
export async function ensureScenarioConfig(kv: KvClient, scenario: Scenario): Promise<void> {
  // Kubernetes mode: the config is the kube-flannel-cfg ConfigMap's (lab/kube-boot.ts).
  if (scenario.mode === 'kubernetes') return;
  const key = `${scenario.etcd.prefix}/config`;
  await kv.txn({
    compare: [{ key, target: 'version', result: '=', operand: 0 }],
    success: [{ put: { key, value: scenario.networkConfig } }],
    failure: [],
  });
}

function writeFiles(host: Host, scenario: Scenario): void {
  for (const file of scenario.files) {
    if (file.hosts && !file.hosts.includes(host.hostname)) continue;
    const dir = file.path.slice(0, file.path.lastIndexOf('/')) || '/';
    if (!host.fs.exists(dir)) host.fs.mkdir(dir, { recursive: true });
    host.fs.writeFile(file.path, file.text);
  }
}

export function scenarioHost(scenario: Scenario, hostname: string): ScenarioHost {
  const spec = scenario.hosts.find((h) => h.hostname === hostname);
  if (!spec) throw new Error(`${hostname} is not a host of scenario ${scenario.id}`);
  return spec;
}

/** Runs a boot line as rc.local would; a failure goes to the journal. */
async function runBootLine(host: Host, line: string): Promise<void> {
  let output = '';
  const status = await host.shell.run(line, {
    stdin: TERMINAL_INPUT,
    stdout: () => {},
    stderr: (t) => (output += t),
    signal: new AbortController().signal,
    isTTY: false,
  });
  if (status !== 0)
    host.journal.append({
      time: host.clock.now(),
      hostname: host.hostname,
      ident: 'rc.local',
      pid: 1,
      unit: 'rc-local.service',
      message: `${line}: exit ${status}: ${output.trim()}`,
    });
}

export async function bootScenarioHost(
  host: Host,
  scenario: Scenario,
  signal?: AbortSignal,
): Promise<void> {
  const spec = scenarioHost(scenario, host.hostname);
  writeFiles(host, scenario);
  setUpNic(host, spec.address, spec.nic, spec.gateway);
  host.kernel.sysctlSet('', 'net.ipv4.ip_forward', '1');
  for (const [unit, path] of Object.entries(scenario.units))
    if (path && host.fs.exists(path)) defineUnitFromFile(host, unit, path);
  if (spec.roles.includes('etcd')) host.services.start('etcd');
  if (scenario.mode === 'kubernetes') await bootKubeHost(host, scenario, spec, signal);
  else if (spec.roles.includes('flanneld')) {
    const flanneld = host.services.status(FLANNELD_UNIT);
    await startFlanneldJoined(
      host,
      { eth0: spec.address, pods: 0, flanneldArgs: flanneld?.spec.execStart.slice(1) },
      signal,
    );
    await flanneldReady(host, signal);
  }
  for (const line of spec.boot ?? []) await runBootLine(host, line);
}
