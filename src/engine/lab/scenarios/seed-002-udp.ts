// Seed 002, the udp experiment: network 10.101.0.0/16.
import { seed002 } from './seed-002.ts';

export default seed002('seed-002-udp', 'udp 模式', '10.101.0.0/16', 'udp', true);
