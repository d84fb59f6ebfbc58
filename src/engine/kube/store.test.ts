import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { getKey, testKv } from '../testing/kv.ts';
import { KubeError, KubeStore, registryKey } from './store.ts';

function store() {
  const clock = new ManualClock(Date.UTC(2017, 0, 17, 1, 2, 3, 456));
  const { kv } = testKv(clock);
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  return { kv, clock, kube: new KubeStore(kv, clock, random) };
}

describe('KubeStore', () => {
  it('keys objects as kube-apiserver does', () => {
    expect(registryKey('nodes', 'node1')).toBe('/registry/minions/node1');
    expect(registryKey('pods', 'p', 'alpine')).toBe('/registry/pods/alpine/p');
    expect(registryKey('configmaps', 'kube-flannel-cfg', 'kube-flannel')).toBe(
      '/registry/configmaps/kube-flannel/kube-flannel-cfg',
    );
    expect(registryKey('daemonsets', 'kube-flannel-ds', 'kube-flannel')).toBe(
      '/registry/daemonsets/kube-flannel/kube-flannel-ds',
    );
    expect(registryKey('namespaces', 'kube-flannel')).toBe('/registry/namespaces/kube-flannel');
    expect(() => registryKey('pods', 'p')).toThrow(/namespaced/);
  });

  it('stores JSON with a uid and the lab clock creationTimestamp; resourceVersion is the modRevision', async () => {
    const { kv, kube } = store();
    const made = await kube.create('namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'alpine' },
    });
    const stored = (await getKey(kv, '/registry/namespaces/alpine'))!;
    const value = JSON.parse(stored.value);
    expect(value.metadata.creationTimestamp).toBe('2017-01-17T01:02:03Z');
    expect(value.metadata.uid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(value.metadata.resourceVersion).toBeUndefined();
    expect(made.metadata.resourceVersion).toBe(String(stored.modRevision));
    const read = await kube.get('namespaces', 'alpine');
    expect(read.metadata.resourceVersion).toBe(String(stored.modRevision));
  });

  it('fails as the apiserver does: AlreadyExists, NotFound', async () => {
    const { kube } = store();
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'default' } };
    await kube.create('pods', pod);
    await expect(kube.create('pods', pod)).rejects.toThrow('pods "x" already exists');
    await expect(kube.get('pods', 'y', 'default')).rejects.toThrow(
      new KubeError('NotFound', 'pods "y" not found'),
    );
    await kube.delete('pods', 'x', 'default');
    await expect(kube.delete('pods', 'x', 'default')).rejects.toThrow('pods "x" not found');
  });

  it('an update writes only on the revision it read, and retries after a conflict', async () => {
    const { kv, kube } = store();
    await kube.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1' } });
    let raced = false;
    const updated = await kube.update('nodes', 'node1', undefined, (n) => {
      n.spec = { podCIDR: '10.244.0.0/24' };
      if (!raced) {
        raced = true;
        // Someone else writes between this read and its write: the txn fails, the read repeats.
        void kv.put({ key: '/registry/minions/node1', value: JSON.stringify({ ...n, spec: {} }) });
      }
    });
    const stored = (await getKey(kv, '/registry/minions/node1'))!;
    expect(JSON.parse(stored.value).spec.podCIDR).toBe('10.244.0.0/24');
    expect(stored.version).toBe(3);
    expect(updated.metadata.resourceVersion).toBe(String(stored.modRevision));
  });

  it('lists in key order and watches ADDED, MODIFIED, DELETED', async () => {
    const { kube } = store();
    for (const name of ['node1', 'localhost.localdomain'])
      await kube.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    const { items, revision } = await kube.list('nodes');
    expect(items.map((n) => n.metadata.name)).toEqual(['localhost.localdomain', 'node1']);
    const seen: string[] = [];
    kube.watch('nodes', revision + 1, (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`));
    await kube.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'note2' } });
    await kube.update('nodes', 'note2', undefined, (n) => (n.spec = { podCIDR: '10.244.2.0/24' }));
    await kube.delete('nodes', 'node1');
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['ADDED note2', 'MODIFIED note2', 'DELETED node1']);
  });
});
