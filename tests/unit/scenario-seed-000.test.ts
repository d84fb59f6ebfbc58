// Issue 14's acceptance for seed 000 ("kubernets的网络插件：flannel"): the article's commands on
// its hosts (`[root@localhost k8s]#` is the master localhost.localdomain, `[root@node1 ~]#`,
// `[root@note2 ~]#`), run in order in the seed-000 scenario and compared with what it shows,
// ages, names' random suffixes and addresses it never shows aside. kubectl is not in Debian:
// its tables follow kubectl 1.30's printers (programs/kubectl), which is what the lab prints;
// the article's kubectl 1.5 had no ROLES/VERSION columns and a wider padding, so the nodes and
// pods are compared by value. What cannot run, and why:
// - `docker ps` on node1: the lab's Kubernetes hosts run their pods without dockerd (the
//   kubelet's CNI pods are network namespaces); the article's line is flanneld's container.
// - `kubectl create -f https://...kube-flannel.yml`, `kubectl create namespace`, `kubectl apply
//   -n alpine -f alpine.yml`: the lab has no apiserver write path, no network to download from and
//   no ReplicationController; the scenario boots with what they made (kube-flannel, the pods).
// - `kubectl get pods -n kube-system` runs, but the article's control plane pods (etcd,
//   kube-apiserver, kube-dns, kube-proxy, kube-discovery as kubeadm 1.5 ran them) are not run by
//   the lab: it prints "No resources found in kube-system namespace."; kube-flannel's pods are in
//   kube-flannel, as today's kube-flannel.yml puts them.
// - `netstat -anup|more`: the lab's netstat has only the routing table (-r), and no `more`.
// - `iptables -I INPUT -p udp -m udp --dport 8472 -j ACCEPT`: the lab's iptables has no udp
//   match yet; `iptables -L -n|more`: no `more` (and no CentOS REJECT rule to show).
import { describe, expect, it } from 'vitest';
import { articleCommands, readArticle } from './article.ts';
import { scenarioLab } from './scenario-lab.ts';

const ARTICLE = readArticle('000_ad4316f138a87769.txt');
const MASTER = 'localhost.localdomain';

describe('seed 000, command by command', () => {
  it('has the article commands, and runs the ones the lab can', async () => {
    const commands = articleCommands(ARTICLE).map((c) => `${c.host}: ${c.line}`);
    expect(commands).toEqual([
      'note2: route -n',
      'node1: docker ps',
      'node1: netstat -anup|more',
      'localhost: kubectl get nodes',
      'localhost: kubectl get pods -n kube-system',
      'localhost: kubectl get pods -n alpine -o wide',
      'node1: iptables -I INPUT -p udp -m udp --dport 8472 -j ACCEPT',
      'node1: iptables -L -n|more',
    ]);
    const { lab } = await scenarioLab('seed-000');

    // kubectl get nodes: the three nodes, all Ready (the article's STATUS column).
    const nodes = await lab.run(MASTER, 'kubectl get nodes');
    expect(nodes.status).toBe(0);
    const rows = nodes.output.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
    expect(rows.slice(1).map((r) => r.split(/ +/).slice(0, 2))).toEqual([
      ['localhost.localdomain', 'Ready'],
      ['node1', 'Ready'],
      ['note2', 'Ready'],
    ]);

    // kubectl get pods -n alpine -o wide: the article's pods, IPs and nodes.
    const pods = await lab.run(MASTER, 'kubectl get pods -n alpine -o wide');
    const byName = pods.output
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((r) => r.split(/ {2,}/));
    expect(byName.map((r) => [r[0], r[1], r[2], r[3], r[5], r[6]])).toEqual([
      ['alpine-4zmey', '1/1', 'Running', '0', '10.244.1.2', 'note2'],
      ['alpine-55zej', '1/1', 'Running', '0', '10.244.2.2', 'node1'],
    ]);

    expect(await lab.run(MASTER, 'kubectl get pods -n kube-system')).toMatchObject({
      status: 0,
      output: 'No resources found in kube-system namespace.\n',
    });

    // kube-flannel's DaemonSet pods, one per node, Running.
    const flannel = await lab.run(MASTER, 'kubectl get pods -n kube-flannel -o wide');
    const ds = flannel.output.trimEnd().split('\n').slice(1);
    expect(ds).toHaveLength(3);
    for (const r of ds) expect(r).toMatch(/^kube-flannel-ds-[b-z2-9]{5} +1\/1 +Running +0 /);

    // route -n on note2: the article's routes with the lab's 10.244/16 (see the scenario).
    const route = await lab.run('note2', 'route -n');
    expect(route.output).toMatch(
      /^0\.0\.0\.0 +192\.168\.181\.254 +0\.0\.0\.0 +UG +100 .* eno16780032$/m,
    );
    expect(route.output).toMatch(/^10\.244\.1\.0 +0\.0\.0\.0 +255\.255\.255\.0 +U +0 .* cni0$/m);
    expect(route.output).toMatch(
      /^10\.244\.0\.0 +10\.244\.0\.0 +255\.255\.255\.0 +UG +0 .* flannel\.1$/m,
    );
    expect(route.output).toMatch(
      /^192\.168\.181\.0 +0\.0\.0\.0 +255\.255\.255\.0 +U +0 .* eno16780032$/m,
    );

    // The pod-to-pod ping the article asks for: alpine-55zej on node1 to alpine-4zmey on note2.
    const ping = await lab.run('node1', 'ip netns exec alpine-55zej ping -c 1 10.244.1.2');
    expect(ping.output).toContain('1 packets transmitted, 1 received, 0% packet loss');
    // The same through kubectl exec, into the pod's namespace.
    const exec = await lab.run(
      'node1',
      'kubectl exec -it -n alpine alpine-55zej -- ping -c 1 10.244.1.2',
    );
    expect(exec.status).toBe(0);
    expect(exec.output).toMatch(/^PING 10\.244\.1\.2 \(10\.244\.1\.2\) 56\(84\) bytes of data\.$/m);
    expect(exec.output).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(
      (await lab.run('node1', 'kubectl exec -n alpine alpine-55zej -- ip -4 -o addr show eth0'))
        .output,
    ).toContain('inet 10.244.2.2/24');
    expect((await lab.run('node1', 'kubectl exec -n alpine alpine-4zmey -- true')).output).toBe(
      'error: pod alpine-4zmey runs on note2: in the lab, kubectl exec reaches the pods of the node it runs on (run it on note2)\n',
    );
    expect((await lab.run('node1', 'kubectl exec -n alpine nope -- true')).output).toBe(
      'Error from server (NotFound): pods "nope" not found\n',
    );

    // kubectl logs of node1's kube-flannel pod: flanneld's klog lines.
    const pod = ds.find((r) => / node1 /.test(r))!.split(' ')[0];
    const log = await lab.run('node1', `kubectl logs -n kube-flannel ${pod}`);
    expect(log.output).toMatch(
      /^I\d{4} [\d:.]+ +\d+ main\.go:\d+\] Created subnet manager: Kubernetes Subnet Manager - node1$/m,
    );
    expect(log.output).toMatch(/\] Wrote subnet file to \/run\/flannel\/subnet\.env$/m);

    // The CNI plugin's saved delegate config for the pod (/var/lib/cni/flannel/<container id>).
    const ids = (await lab.sh('node1', 'ls /var/lib/cni/flannel')).trim().split('\n');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    const delegate = await lab.sh('node1', `cat /var/lib/cni/flannel/${ids[0]}`);
    expect(JSON.parse(delegate)).toMatchObject({
      name: 'cbr0',
      type: 'bridge',
      ipam: { type: 'host-local' },
    });
    expect(delegate).toContain('"subnet":"10.244.2.0/24"');

    // kube-flannel-cfg as the article's kube-flannel.yml holds it.
    const cm = await lab.run(MASTER, 'kubectl get cm -n kube-flannel kube-flannel-cfg -o yaml');
    expect(cm.output).toContain('  net-conf.json: |\n    {\n      "Network": "10.244.0.0/16",\n');
    // flanneld's annotations on the Node, in etcd as the apiserver keys it.
    const node = JSON.parse(
      await lab.sh(MASTER, 'ETCDCTL_API=3 etcdctl get /registry/minions/node1 --print-value-only'),
    );
    expect(node.spec.podCIDR).toBe('10.244.2.0/24');
    expect(node.metadata.annotations).toMatchObject({
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
      'flannel.alpha.coreos.com/public-ip': '192.168.181.11',
    });

    // kubectl delete pod on the master: note2's kubelet tears the pod's network down.
    expect((await lab.run('note2', 'ip netns list')).output).toContain('alpine-4zmey');
    expect(await lab.run(MASTER, 'kubectl delete pod -n alpine alpine-4zmey')).toMatchObject({
      status: 0,
      output: 'pod "alpine-4zmey" deleted\n',
    });
    await lab.drive(Promise.resolve(), 100);
    expect((await lab.run('note2', 'ip netns list')).output).not.toContain('alpine-4zmey');
    expect((await lab.run('note2', 'ls /var/lib/cni/flannel')).output).toBe('');
    expect((await lab.run(MASTER, 'kubectl delete pod -n alpine alpine-4zmey')).output).toBe(
      'Error from server (NotFound): pods "alpine-4zmey" not found\n',
    );
  });
});
