// Seed 002, the host-gw experiment: network 10.100.0.0/16.
import { seed002 } from './seed-002.ts';

export default seed002('seed-002-host-gw', 'host-gw 模式', '10.100.0.0/16', 'host-gw', false);
