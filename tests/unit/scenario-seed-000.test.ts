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
// - `kubectl get pods -n kube-system`: the article's control plane pods (kube-dns, kube-proxy,
//   kube-discovery) are not run by the lab; kube-flannel's pods are in kube-flannel, as today's
//   kube-flannel.yml puts them.
// - `netstat -anup`, `iptables -I INPUT` / `-L -n`: net-tools' -anup and CentOS's REJECT rule are
//   not the lab's; the vxlan socket is shown below with the article's port.
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
  });
});
