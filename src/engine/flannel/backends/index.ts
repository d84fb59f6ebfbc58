// The backends, one entry per type: everything that picks or describes a backend reads this
// (flanneld's choice, the lab's URL and share-link validation, the UI's menus and topology).
// How each is created is in ./create.ts, keyed by these types (a type without one does not
// compile): this table is plain data, so the UI and the KV worker, which read it, do not bundle
// the backends' programming code. A new backend is its module, one entry here and one there.

export interface BackendEntry {
  /**
   * Where flannel fails when its create() throws: host-gw's checks run in backend.New
   * ('Error fetching backend', main.go:353), the others fail creating their device in
   * RegisterNetwork (main.go:377).
   */
  failsIn: 'New' | 'RegisterNetwork';
  /** Run()'s 'watching for new subnet leases' line: [file:line, text] (vxlan's is lower-case). */
  watchLog: readonly [string, string];
  /** The device it creates with the lab's config (vxlan's is flannel.<VNI>, VNI 1); null: none. */
  device: string | null;
  /** The topology's device-to-eth0 hop: 'outer udp' when flanneld's own socket carries it. */
  outerHop: 'outer' | 'outer udp';
  /** Pod traffic leaves straight by eth0 (plain routes, no device). */
  direct: boolean;
  /** One line for the landing page. */
  summary: string;
}

export const BACKENDS = {
  vxlan: {
    failsIn: 'RegisterNetwork',
    watchLog: ['vxlan_network.go:65', 'watching for new subnet leases'],
    device: 'flannel.1',
    outerHop: 'outer',
    direct: false,
    summary: 'pod traffic wrapped in UDP by the kernel (flannel.1)',
  },
  'host-gw': {
    failsIn: 'New',
    watchLog: ['route_network.go:55', 'Watching for new subnet leases'],
    device: null,
    outerHop: 'outer',
    direct: true,
    summary: 'plain routes to the other hosts, no encapsulation',
  },
  udp: {
    failsIn: 'RegisterNetwork',
    watchLog: ['udp_network_amd64.go:100', 'Watching for new subnet leases'],
    device: 'flannel0',
    outerHop: 'outer udp',
    direct: false,
    summary: 'flanneld itself tunnels packets through flannel0',
  },
} as const satisfies Record<string, BackendEntry>;

export type BackendType = keyof typeof BACKENDS;

/** The types in the order the UI offers them (vxlan first: the lab's default). */
export const BACKEND_TYPES = Object.keys(BACKENDS) as BackendType[];

export function isBackendType(type: string): type is BackendType {
  return Object.hasOwn(BACKENDS, type);
}

/** The backend whose device `name` is, e.g. to draw a device an earlier backend left behind. */
export function backendOfDevice(name: string): BackendEntry | undefined {
  return Object.values(BACKENDS).find((b: BackendEntry) => b.device === name);
}
