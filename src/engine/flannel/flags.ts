// flanneld's command-line flags (main.go init()), parsed like Go's flag package:
// '-x v', '--x v', '--x=v', and booleans as '--x' or '--x=false'.

export interface FlanneldFlags {
  etcdEndpoints: string;
  etcdPrefix: string;
  iface: string[];
  publicIP: string;
  subnetFile: string;
  subnetLeaseRenewMargin: number;
  ipMasq: boolean;
  ipMasqFullyRandomDisable: boolean;
  iptablesResync: number;
  iptablesForwardRules: boolean;
  verbosity: number;
  kubeSubnetMgr: boolean;
  kubeAnnotationPrefix: string;
  netConfigPath: string;
}

export class FlagError extends Error {}

type Kind = 'string' | 'int' | 'bool' | 'list';

const FLAGS: Record<string, { key: keyof FlanneldFlags; kind: Kind }> = {
  'etcd-endpoints': { key: 'etcdEndpoints', kind: 'string' },
  'etcd-prefix': { key: 'etcdPrefix', kind: 'string' },
  iface: { key: 'iface', kind: 'list' },
  'public-ip': { key: 'publicIP', kind: 'string' },
  'subnet-file': { key: 'subnetFile', kind: 'string' },
  'subnet-lease-renew-margin': { key: 'subnetLeaseRenewMargin', kind: 'int' },
  'ip-masq': { key: 'ipMasq', kind: 'bool' },
  'ip-masq-fully-random-disable': { key: 'ipMasqFullyRandomDisable', kind: 'bool' },
  'iptables-resync': { key: 'iptablesResync', kind: 'int' },
  'iptables-forward-rules': { key: 'iptablesForwardRules', kind: 'bool' },
  v: { key: 'verbosity', kind: 'int' },
  'kube-subnet-mgr': { key: 'kubeSubnetMgr', kind: 'bool' },
  'kube-annotation-prefix': { key: 'kubeAnnotationPrefix', kind: 'string' },
  'net-config-path': { key: 'netConfigPath', kind: 'string' },
};

export function defaultFlags(): FlanneldFlags {
  return {
    etcdEndpoints: 'http://127.0.0.1:4001,http://127.0.0.1:2379',
    etcdPrefix: '/coreos.com/network',
    iface: [],
    publicIP: '',
    subnetFile: '/run/flannel/subnet.env',
    subnetLeaseRenewMargin: 60,
    ipMasq: false,
    ipMasqFullyRandomDisable: false,
    iptablesResync: 5,
    iptablesForwardRules: true,
    verbosity: 0,
    kubeSubnetMgr: false,
    kubeAnnotationPrefix: 'flannel.alpha.coreos.com',
    netConfigPath: '/etc/kube-flannel/net-conf.json',
  };
}

/** Parses argv (without the program name); throws FlagError with Go's flag message. */
export function parseFlags(args: string[]): FlanneldFlags {
  const flags = defaultFlags();
  const values = flags as unknown as Record<string, unknown>;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-' || arg === '--') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = FLAGS[name];
    if (!def) throw new FlagError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (def.kind === 'bool') value = 'true';
    else if (i + 1 < args.length) value = args[++i];
    else throw new FlagError(`flag needs an argument: -${name}`);
    switch (def.kind) {
      case 'string':
        values[def.key] = value;
        break;
      case 'list':
        (values[def.key] as string[]).push(value);
        break;
      case 'int':
        if (!/^[+-]?\d+$/.test(value))
          throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
        values[def.key] = Number(value);
        break;
      case 'bool':
        if (
          ![
            '1',
            't',
            'T',
            'true',
            'TRUE',
            'True',
            '0',
            'f',
            'F',
            'false',
            'FALSE',
            'False',
          ].includes(value)
        )
          throw new FlagError(`invalid boolean value "${value}" for -${name}: parse error`);
        values[def.key] = ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
        break;
    }
  }
  return flags;
}
