import { describe, expect, it } from 'vitest';
import { readWidgetConfig, scriptLines } from './attributes.ts';

const read = (
  attrs: Record<string, string>,
  child: { text: string; host: string | null } | null = null,
) =>
  readWidgetConfig(
    (n) => attrs[n] ?? null,
    child,
    () => 'fresh1',
  );

describe('widget attributes', () => {
  it('defaults: three hosts, vxlan, a fresh lab id, lazy, no script', () => {
    const w = read({});
    expect(w.config.hosts).toHaveLength(3);
    expect(w.config.backend).toBe('vxlan');
    expect(w.config.labId).toBe('fresh1');
    expect(w.eager).toBe(false);
    expect(w.script).toBeNull();
    expect(w.notices).toEqual([]);
  });

  it('reads every lab attribute', () => {
    const w = read({
      nodes: '2',
      backend: 'host-gw',
      network: '10.9.0.0/16',
      'subnet-len': '26',
      lab: 'docs-1',
      theme: 'dark',
      readonly: '',
      etcd: 'http://10.0.0.5:2379,http://10.0.0.6:2379',
      start: 'eager',
    });
    expect(w.config.hosts.map((h) => h.hostname)).toEqual(['node1', 'node2']);
    expect(w.config.backend).toBe('host-gw');
    expect(w.config.network).toBe('10.9.0.0/16');
    expect(w.config.subnetLen).toBe(26);
    expect(w.config.labId).toBe('docs-1');
    expect(w.config.theme).toBe('dark');
    expect(w.config.readonly).toBe(true);
    expect(w.config.etcd).toEqual(['http://10.0.0.5:2379', 'http://10.0.0.6:2379']);
    expect(w.eager).toBe(true);
  });

  it('reports bad attributes by their attribute names and keeps defaults', () => {
    const w = read({ backend: 'ipip', 'subnet-len': '40', start: 'soon' });
    expect(w.config.backend).toBe('vxlan');
    expect(w.notices).toEqual([
      'backend=ipip: unknown backend type (use vxlan, host-gw or udp)',
      'subnet-len=40: SubnetLen must be less than /31',
      'start=soon: expected lazy or eager',
    ]);
  });

  it('takes the script from a child element before the attribute', () => {
    const w = read(
      { script: 'hostname' },
      { text: '\n  # show routes\n  ip route\n\n  hostname\n', host: 'node2' },
    );
    expect(w.script).toEqual({ host: 'node2', lines: ['ip route', 'hostname'] });
    expect(read({ script: 'hostname' }).script).toEqual({ host: 'node1', lines: ['hostname'] });
  });

  it('rejects a script for a host the lab does not have', () => {
    const w = read({ nodes: '2', script: 'hostname', 'script-host': 'node5' });
    expect(w.script).toBeNull();
    expect(w.notices).toEqual(['script-host=node5: no such host (this lab has node1, node2)']);
  });

  it('drops blank lines and comments', () => {
    expect(scriptLines('a\n\n # c\nb  ')).toEqual(['a', 'b']);
  });
});

describe('widget controls', () => {
  it('a widget shows only the capture buttons unless it lists its controls', () => {
    expect(read({}).controls).toEqual(['capture']);
    expect(read({ controls: '' }).controls).toEqual([]);
    expect(read({ controls: 'reset, clock backend' }).controls).toEqual([
      'clock',
      'backend',
      'reset',
    ]);
  });

  it('an unknown control is reported and left out', () => {
    const w = read({ controls: 'clock,ssh' });
    expect(w.controls).toEqual(['clock']);
    expect(w.notices).toEqual([
      'controls=clock,ssh: unknown control ssh (expected clock, backend, hosts, capture, reset)',
    ]);
  });

  it("scenario builds the article's lab", () => {
    const attrs: Record<string, string> = { scenario: 'seed-002-vxlan' };
    const w = readWidgetConfig(
      (n) => attrs[n] ?? null,
      null,
      () => 'id1',
    );
    expect(w.notices).toEqual([]);
    expect(w.config.scenario).toBe('seed-002-vxlan');
    expect(w.config.hosts.map((h) => h.hostname)).toEqual(['node-1', 'node-2', 'node-3']);
  });
});
