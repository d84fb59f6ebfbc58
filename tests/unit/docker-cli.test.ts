// The docker CLI against dockerd on a seed-002 host: the container life cycle (run, ps, exec,
// stop, start, rm), its errors, inspect and network inspect. Docker is not in Debian: the
// formats and messages follow docker/cli and moby at v18.06 (their sources), not a recording.
import { describe, expect, it } from 'vitest';
import { scenarioLab } from './scenario-lab.ts';

describe('docker on node-2 (seed-002-host-gw)', () => {
  it('runs, lists, execs, stops, starts and removes a container as docker 18.06 prints it', async () => {
    const { lab } = await scenarioLab('seed-002-host-gw');
    const run = (line: string) => lab.run('node-2', line);
    expect((await run('docker ps')).stdout).toBe(
      'CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES\n',
    );
    const id = (await run('docker run --name bbox2 -tid busybox')).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await lab.advance(5000);
    const ps = (await run('docker ps')).stdout.split('\n');
    expect(ps[1]).toBe(
      `${id.slice(0, 12)}        busybox             "sh"                5 seconds ago       Up 5 seconds                            bbox2`,
    );
    // A name in use is a conflict, exit 125.
    const again = await run('docker run --name bbox2 -tid busybox');
    expect(again.status).toBe(125);
    expect(again.stderr).toBe(
      `docker: Error response from daemon: Conflict. The container name "/bbox2" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.\nSee 'docker run --help'.\n`,
    );
    // A foreground run prints its output and exits with its status; ps -a shows it exited.
    expect(await run('docker run --name once busybox echo hello')).toMatchObject({
      status: 0,
      stdout: 'hello\n',
    });
    // The ages are lab time since the container started (what the lines before took).
    expect((await run('docker ps -a')).stdout).toMatch(
      /^[0-9a-f]{12} {8}busybox {13}"echo hello" {8}(Less than a second|\d+ seconds) ago +Exited \(0\) (Less than a second|\d+ seconds) ago +once$/m,
    );
    // Inside: busybox's hostname is the short id; an unknown program is runc's error.
    expect((await run('docker exec bbox2 hostname')).stdout).toBe(`${id.slice(0, 12)}\n`);
    // busybox's sh runs a line (or its stdin) with busybox's applets: ifconfig is busybox's.
    expect(
      (await run("docker exec bbox2 sh -c 'hostname; ifconfig eth0 | head -1'")).stdout,
    ).toMatch(
      new RegExp(
        `^${id.slice(0, 12)}\neth0 {6}Link encap:Ethernet  HWaddr 02:42:0A:64:[0-9A-F]{2}:02  \n$`,
      ),
    );
    expect((await run('echo hostname | docker exec -i bbox2 sh')).stdout).toBe(
      `${id.slice(0, 12)}\n`,
    );
    const missing = await run('docker exec bbox2 bash');
    expect(missing.status).toBe(126);
    expect(missing.stderr).toContain('executable file not found in $PATH');
    // rm of a running container is refused; stop takes sh's 10 s and gives 137.
    const rm = await run('docker rm bbox2');
    expect(rm.status).toBe(1);
    expect(rm.stderr).toContain('You cannot remove a running container');
    const before = lab.clock.now();
    expect((await run('docker stop bbox2')).stdout).toBe('bbox2\n');
    expect(lab.clock.now() - before).toBeGreaterThanOrEqual(10_000);
    expect((await run('docker ps -a')).stdout).toMatch(
      /Exited \(137\) Less than a second ago .*bbox2$/m,
    );
    expect((await run('docker exec bbox2 ifconfig')).stderr).toBe(
      `Error response from daemon: Container ${id} is not running\n`,
    );
    // The stopped container left docker0; started again it gets an address again.
    expect(await lab.sh('node-2', 'brctl show docker0')).toMatch(/\tno\t\t\n$/);
    expect((await run('docker start bbox2')).stdout).toBe('bbox2\n');
    expect((await run('docker exec bbox2 ifconfig eth0')).stdout).toMatch(
      /inet addr:10\.100\.\d+\.2 /,
    );
    expect((await run('docker inspect bbox2')).stdout).toMatch(/"IPAddress": "10\.100\.\d+\.2"/);
    const net = JSON.parse((await run('docker network inspect bridge')).stdout) as {
      Name: string;
      IPAM: { Config: { Subnet: string; Gateway: string }[] };
      Containers: Record<string, { Name: string }>;
      Options: Record<string, string>;
    }[];
    expect(net[0].Name).toBe('bridge');
    expect(net[0].IPAM.Config[0].Subnet).toMatch(/^10\.100\.\d+\.0\/24$/);
    expect(Object.values(net[0].Containers).map((c) => c.Name)).toEqual(['bbox2']);
    expect(net[0].Options['com.docker.network.driver.mtu']).toBe('1500');
    expect((await run('docker exec nope ls')).stderr).toBe('Error: No such container: nope\n');
    expect(await run('docker rm -f bbox2')).toMatchObject({ status: 0, stdout: 'bbox2\n' });
  }, 120_000);

  it('without dockerd the CLI cannot connect; restarting docker after flannel takes the new subnet', async () => {
    const { lab } = await scenarioLab('seed-002-host-gw');
    await lab.sh('node-2', 'systemctl stop docker');
    const r = await lab.run('node-2', 'docker ps');
    expect(r.stderr).toBe(
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
    );
    // The article's order: the new options from mk-docker-opts.sh, then docker: docker0 moves.
    lab
      .host('node-2')
      .fs.writeFile(
        '/run/flannel/subnet.env',
        'FLANNEL_NETWORK=10.100.0.0/16\nFLANNEL_SUBNET=10.100.200.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n',
      );
    await lab.sh('node-2', 'mk-docker-opts.sh');
    expect(await lab.sh('node-2', 'cat /run/docker_opts.env')).toBe(
      'DOCKER_OPT_BIP="--bip=10.100.200.1/24"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_OPTS=" --bip=10.100.200.1/24 --ip-masq=false --mtu=1450"\n',
    );
    await lab.sh('node-2', 'systemctl start docker');
    expect(await lab.sh('node-2', 'ip -4 -o addr show dev docker0')).toMatch(
      /inet 10\.100\.200\.1\/24 brd 10\.100\.200\.255 scope global docker0/,
    );
    expect(await lab.sh('node-2', 'ps -fe')).toContain(
      '/usr/bin/dockerd -H fd:// --bip=10.100.200.1/24 --ip-masq=false --mtu=1450\n',
    );
  }, 120_000);
});
