// kubectl 1.30's output. Debian packages no kubectl, so nothing here was recorded: the tables
// follow kubectl's printers (pkg/printers/internalversion/printers.go: columns, <none>, the
// tabwriter's minwidth 6 and padding 3), ages apimachinery's HumanDuration, the errors
// kubectl's cobra commands and the apiserver's Status messages.

import { describe, expect, it } from 'vitest';
import { nodeObject, postNodeReady } from '../../kube/kubelet.ts';
import { KubeStore } from '../../kube/store.ts';
import { fakeHost, recordingIO } from '../../testing/host.ts';
import { testKv } from '../../testing/kv.ts';
import { humanDuration, kubectl } from './kubectl.ts';

const INFO = {
  kubeletVersion: 'v1.30.0',
  osImage: 'CentOS Linux 7 (Core)',
  kernelVersion: '3.10.0-327.el7.x86_64',
  containerRuntimeVersion: 'docker://1.12.5',
};

async function cluster() {
  const host = fakeHost({}, 'localhost.localdomain');
  const { kv } = testKv(host.clock);
  const store = new KubeStore(kv, host.clock, () => 0.5);
  const ctx = { ...host, kv };
  await store.create(
    'nodes',
    nodeObject(
      {
        ...INFO,
        name: 'localhost.localdomain',
        internalIP: '192.168.181.10',
        role: 'control-plane',
      },
      host.clock.now(),
    ),
  );
  await host.clock.advance(3_600_000);
  await store.create(
    'nodes',
    nodeObject({ ...INFO, name: 'node1', internalIP: '192.168.181.11' }, host.clock.now()),
  );
  await postNodeReady(store, 'localhost.localdomain', host.clock.now());
  await store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'alpine-4zmey', namespace: 'alpine' },
    spec: { nodeName: 'node1', containers: [{ name: 'alpine' }] },
    status: {
      phase: 'Running',
      podIP: '10.244.1.2',
      containerStatuses: [{ ready: true, restartCount: 0 }],
    },
  });
  await host.clock.advance(23 * 3_600_000);
  const run = async (line: string) => {
    const io = recordingIO();
    const status = await kubectl(['kubectl', ...line.split(' ')], io, ctx);
    return { status, out: io.out.join(''), err: io.err.join('') };
  };
  return { run, store };
}

describe('kubectl get', () => {
  it('prints nodes as kubectl 1.30 does, Ready from the kubelet condition', async () => {
    const { run } = await cluster();
    expect((await run('get nodes')).out).toBe(
      'NAME                    STATUS     ROLES           AGE   VERSION\n' +
        'localhost.localdomain   Ready      control-plane   24h   v1.30.0\n' +
        'node1                   NotReady   <none>          23h   v1.30.0\n',
    );
    expect((await run('get no -o wide')).out.split('\n')[1]).toBe(
      'localhost.localdomain   Ready      control-plane   24h   v1.30.0   192.168.181.10   <none>        CentOS Linux 7 (Core)   3.10.0-327.el7.x86_64   docker://1.12.5',
    );
  });

  it('prints pods by namespace, -A with NAMESPACE, -o wide with IP and NODE', async () => {
    const { run } = await cluster();
    expect(await run('get pods')).toEqual({
      status: 0,
      out: '',
      err: 'No resources found in default namespace.\n',
    });
    expect((await run('get pods -n alpine -o wide')).out).toBe(
      'NAME           READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES\n' +
        'alpine-4zmey   1/1     Running   0          23h   10.244.1.2   node1   <none>           <none>\n',
    );
    expect((await run('get po -A')).out).toBe(
      'NAMESPACE   NAME           READY   STATUS    RESTARTS   AGE\n' +
        'alpine      alpine-4zmey   1/1     Running   0          23h\n',
    );
  });

  it('prints one object as YAML: keys sorted, resourceVersion and timestamps quoted, blocks for multi-line data', async () => {
    const { run, store } = await cluster();
    await store.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'kube-flannel-cfg',
        namespace: 'kube-flannel',
        labels: { app: 'flannel', tier: 'node' },
      },
      data: { 'net-conf.json': '{\n  "Network": "10.244.0.0/16"\n}\n' },
    });
    const { out } = await run('get cm -n kube-flannel kube-flannel-cfg -o yaml');
    expect(out).toMatch(
      new RegExp(
        '^apiVersion: v1\ndata:\n  net-conf.json: \\|\n    \\{\n      "Network": "10.244.0.0/16"\n    \\}\nkind: ConfigMap\nmetadata:\n' +
          '  creationTimestamp: "2026-01-02T07:32:09Z"\n  labels:\n    app: flannel\n    tier: node\n  name: kube-flannel-cfg\n' +
          '  namespace: kube-flannel\n  resourceVersion: "\\d+"\n  uid: [0-9a-f-]{36}\n$',
      ),
    );
  });

  it('fails as kubectl does', async () => {
    const { run } = await cluster();
    expect(await run('get pods nope -n alpine')).toEqual({
      status: 1,
      out: '',
      err: 'Error from server (NotFound): pods "nope" not found\n',
    });
    expect((await run('get widgets')).err).toBe(
      'error: the server doesn\'t have a resource type "widgets"\n',
    );
    expect((await run('get pods --bogus')).err).toBe(
      "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n",
    );
    expect((await run('get pods -x')).err).toBe(
      "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage.\n",
    );
    const io = recordingIO();
    expect(await kubectl(['kubectl', 'get', 'nodes'], io, fakeHost())).toBe(1);
    expect(io.err.join('')).toBe(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n',
    );
  });

  it('ages as HumanDuration', () => {
    const s = 1000;
    expect(
      [90 * s, 150 * s, 600 * s, 3 * 3600 * s + 60 * s, 23 * 3600 * s, 50 * 3600 * s].map(
        humanDuration,
      ),
    ).toEqual(['90s', '2m30s', '10m', '3h1m', '23h', '2d2h']);
  });
});
