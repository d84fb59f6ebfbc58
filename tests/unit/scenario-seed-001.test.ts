// Issue 14's acceptance for seed 001 ("flannel 与 docker 的结合"): every command the article
// types on `[root@localhost ~]#`, run in order in the seed-001 scenario and compared with the
// article's output, random fields aside (the subnet, MACs, veth names, pids and times). The
// article's host is CentOS 7 with flannel 0.7 and docker 1.12 ("docker-current"); the lab
// prints with the tools recorded for it (iproute2 6.1, net-tools 2.10), so where the layout
// differs the values are compared, as each check says. Docker is not in Debian: its daemon's
// flags follow docker's documentation for 1.12's `docker daemon`.
import { describe, expect, it } from 'vitest';
import { articleCommands, readArticle } from './article.ts';
import { scenarioLab } from './scenario-lab.ts';

const ARTICLE = readArticle('001_17cae7b30d4ff43e.txt');

describe('seed 001, command by command', () => {
  it('runs every command of the article on localhost', async () => {
    const { lab } = await scenarioLab('seed-001');
    const commands = articleCommands(ARTICLE);
    expect(commands.map((c) => c.line)).toEqual([
      'cat /run/flannel/subnet.env',
      'cat /run/flannel/docker',
      'ps -fe|grep docker',
      'ip add',
      'route -n',
      'brctl show',
    ]);
    const env = await lab.sh('localhost', 'cat /run/flannel/subnet.env');
    const octet = /FLANNEL_SUBNET=4\.0\.(\d+)\.1\/24/.exec(env)![1];
    // The article's subnet.env shows 4.0.34.1/24, its later listings 4.0.100.1/24: both are
    // the subnet flannel drew, here one.
    const subst = (t: string) => t.replace(/4\.0\.(34|100)\./g, `4.0.${octet}.`);
    const out: Record<string, string> = {};
    for (const c of commands) {
      expect(c.host).toBe('localhost');
      const r = await lab.run('localhost', c.line);
      expect(r.status, `${c.line}: ${r.output}`).toBe(0);
      out[c.line] = r.output;
    }
    const byLine = Object.fromEntries(commands.map((c) => [c.line, subst(c.output)]));

    expect(out['cat /run/flannel/subnet.env'].trimEnd()).toBe(
      byLine['cat /run/flannel/subnet.env'],
    );

    // flannel 0.10's mk-docker-opts.sh (the one the lab runs) puts a space before the first
    // option of the combined key; CentOS's older script did not.
    expect(out['cat /run/flannel/docker'].replace('=" --bip', '="--bip').trimEnd()).toBe(
      byLine['cat /run/flannel/docker'],
    );

    // ps: the daemon's command line is the article's; pids and times are this lab's.
    const cmd = /\/usr\/bin\/docker-current .*/.exec(byLine['ps -fe|grep docker'])![0];
    expect(out['ps -fe|grep docker']).toMatch(/^root +\d+ +1 +0 \d\d:\d\d \? +00:00:00 /m);
    expect(out['ps -fe|grep docker']).toContain(`${cmd}\n`);

    // ip add: iproute2 6.1 against the article's 3.10; the lines of lo, the NIC, flannel0 and
    // docker0 compared by value. flannel 0.7 gave flannel0 the network's prefix (/16); the
    // lab's flanneld follows today's flannel (a /32 and a route for the network).
    const ip = out['ip add'];
    expect(ip).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN/m);
    expect(ip).toContain('inet 127.0.0.1/8 scope host lo\n');
    expect(ip).toMatch(/^2: enp0s3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 /m);
    expect(ip).toContain('inet 10.8.65.66/24 brd 10.8.65.255 scope global enp0s3\n');
    expect(ip).toMatch(
      /: flannel0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1472 .*qlen 500\n {4}link\/none/,
    );
    expect(ip).toContain(`inet 4.0.${octet}.0/32 scope global flannel0\n`);
    expect(ip).toMatch(
      /: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1472 qdisc noqueue state UP/,
    );
    expect(ip).toMatch(/link\/ether 02:42:[0-9a-f:]{11} brd ff:ff:ff:ff:ff:ff\n/);
    expect(ip).toContain(`inet 4.0.${octet}.1/24 brd 4.0.${octet}.255 scope global docker0\n`);

    // route -n: the default, flannel0's and docker0's rows are the article's. Its host route
    // to etcd (10.8.64.10 UGH) and NetworkManager's metric 100 on the NIC's own route came
    // from that VM's network setup, which the lab's does not have.
    const routes = out['route -n'].split('\n');
    const want = byLine['route -n'].split('\n');
    for (const row of want.filter((l) => /flannel0|docker0|^0\.0\.0\.0/.test(l)))
      expect(routes).toContain(row.replace(/ +/g, ' ').split(' ').reduce(columns, ''));
    // The article's copy lost the header's runs of blanks.
    expect(routes.slice(0, 2).map((l) => l.replace(/ +/g, ' '))).toEqual(want.slice(0, 2));

    // brctl show: docker0 with A's and B's veths, the id from docker0's MAC.
    const brctl = out['brctl show'];
    expect(brctl).toMatch(
      /^bridge name\tbridge id\t\tSTP enabled\tinterfaces\ndocker0\t\t8000\.0242[0-9a-f]{8}\tno\t\tveth[0-9a-f]{7}\n\t\t\t\t\t\t\tveth[0-9a-f]{7}\n$/,
    );
  }, 120_000);

  it('A reaches C through flannel0 (udp) and B over docker0', async () => {
    const { lab } = await scenarioLab('seed-001');
    const ipOf = async (host: string, box: string) =>
      /"IPAddress": "([\d.]+)"/.exec(await lab.sh(host, `docker inspect ${box}`))![1];
    const c = await ipOf('node-c', 'C');
    const b = await ipOf('localhost', 'B');
    expect(await lab.sh('localhost', `docker exec A ping -c 2 ${c}`)).toMatch(/2 packets received/);
    expect(await lab.sh('localhost', `docker exec A ping -c 1 ${b}`)).toMatch(/ttl=64 /);
  }, 120_000);
});

/** route -n's columns (net-tools' printf widths) from the article's words, whose blanks its copy lost. */
function columns(line: string, word: string, i: number): string {
  const widths = [16, 16, 16, 6, 7, 3, 8];
  if (i < 6) return line + word.padEnd(widths[i] - (i === 5 ? 1 : 0)) + (i === 5 ? ' ' : '');
  if (i === 6) return line + word.padStart(widths[6] - 1) + ' ';
  return line + word;
}
