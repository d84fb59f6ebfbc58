// Seed 002, the vxlan experiment: network 10.102.0.0/16.
import { seed002 } from './seed-002.ts';

export default seed002('seed-002-vxlan', 'VxLAN 模式', '10.102.0.0/16', 'vxlan', true);
