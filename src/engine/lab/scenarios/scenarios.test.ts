import { describe, expect, it } from 'vitest';
import { formatLabParams, parseLabParams } from '../params.ts';
import { parseUnitFile } from '../../os/unit-file.ts';
import { SCENARIOS, findScenario } from './index.ts';

describe('scenarios', () => {
  it('are the five of this round, each with unique hosts and its units on disk', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual([
      'seed-000',
      'seed-001',
      'seed-002-host-gw',
      'seed-002-udp',
      'seed-002-vxlan',
    ]);
    for (const s of SCENARIOS) {
      const names = s.hosts.map((h) => h.hostname);
      expect(new Set(names).size).toBe(names.length);
      for (const path of Object.values(s.units))
        expect(
          s.files.some((f) => f.path === path),
          `${s.id}: ${path}`,
        ).toBe(true);
      const config = JSON.parse(s.networkConfig) as { Network: string; Backend: { Type: string } };
      expect(config.Network).toBe(s.network);
      expect(config.Backend.Type).toBe(s.backend);
    }
  });

  it("seed 000 is a Kubernetes cluster with the article's hosts, joining in its order", () => {
    const s = findScenario('seed-000')!;
    expect(s.mode).toBe('kubernetes');
    expect(s.hosts.map((h) => `${h.hostname} ${h.nic} ${h.roles.join()}`)).toEqual([
      'localhost.localdomain eno16780032 kube-master,flanneld',
      'note2 eno16780032 flanneld',
      'node1 eno16780032 flanneld',
    ]);
    expect(s.kubernetes).toMatchObject({ clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: 24 });
  });

  it("seed 002's flanneld unit runs the article's command line", () => {
    const s = findScenario('seed-002-vxlan')!;
    const unit = s.files.find((f) => f.path === s.units.flanneld)!;
    expect(parseUnitFile(unit.text).execStart).toBe(
      '/usr/local/bin/flanneld --etcd-endpoints=http://172.16.112.128:2379 --iface=ens33 -etcd-prefix=/docker-subnet/network',
    );
    expect(s.hosts.map((h) => [h.hostname, h.nic, h.address, h.roles.join()])).toEqual([
      ['node-1', 'ens33', '172.16.112.128/24', 'etcd'],
      ['node-2', 'ens33', '172.16.112.133/24', 'flanneld,docker'],
      ['node-3', 'ens33', '172.16.112.130/24', 'flanneld,docker'],
    ]);
    expect(s.etcd).toMatchObject({ api: 2, host: 'node-1', prefix: '/docker-subnet/network' });
  });

  it('?scenario= builds the lab and a reload finds it again; a bad id falls back with a message', () => {
    const { config, errors, notes } = parseLabParams('?scenario=seed-002-udp&lab=x1&nodes=5');
    expect(errors).toEqual([]);
    expect(notes).toEqual(['scenario=seed-002-udp: its own lab shape is used; nodes ignored']);
    expect(config).toMatchObject({
      scenario: 'seed-002-udp',
      backend: 'udp',
      network: '10.101.0.0/16',
      labId: 'x1',
    });
    expect(config.hosts.map((h) => `${h.hostname} ${h.nic} ${h.eth0}`)).toEqual([
      'node-1 ens33 172.16.112.128/24',
      'node-2 ens33 172.16.112.133/24',
      'node-3 ens33 172.16.112.130/24',
    ]);
    expect(formatLabParams(config)).toBe('?scenario=seed-002-udp&lab=x1');
    const bad = parseLabParams('?scenario=nope');
    expect(bad.config.scenario).toBeNull();
    expect(bad.errors[0]).toMatch(
      /^scenario=nope: no such scenario \(there are seed-000, seed-001, /,
    );
  });
});
