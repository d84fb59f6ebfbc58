// Command-line flags the way etcdctl's cobra/pflag parse them: `--name=value`, `--name value`,
// `-w json`, `-wjson`, bare `--bool`, `--` ending the flags; flags may follow positionals.

import { own } from '../../text/own.ts';

export type FlagType = 'bool' | 'int' | 'string';

export interface FlagSpec {
  type: FlagType;
  short?: string;
  default: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export const GLOBAL_FLAGS: FlagSpecs = {
  endpoints: { type: 'string', default: '127.0.0.1:2379' },
  'write-out': { type: 'string', short: 'w', default: 'simple' },
  hex: { type: 'bool', default: 'false' },
  help: { type: 'bool', short: 'h', default: 'false' },
  debug: { type: 'bool', default: 'false' },
  'dial-timeout': { type: 'string', default: '2s' },
  'command-timeout': { type: 'string', default: '5s' },
  'keepalive-time': { type: 'string', default: '2s' },
  'keepalive-timeout': { type: 'string', default: '6s' },
  cacert: { type: 'string', default: '' },
  cert: { type: 'string', default: '' },
  key: { type: 'string', default: '' },
  user: { type: 'string', default: '' },
  password: { type: 'string', default: '' },
  'discovery-srv': { type: 'string', short: 'd', default: '' },
  'discovery-srv-name': { type: 'string', default: '' },
  'insecure-discovery': { type: 'bool', default: 'true' },
  'insecure-transport': { type: 'bool', default: 'true' },
  'insecure-skip-tls-verify': { type: 'bool', default: 'false' },
};

export class FlagError extends Error {}

export interface ParsedFlags {
  values: Map<string, string>;
  args: string[];
}

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

export function parseFlags(argv: string[], specs: FlagSpecs): ParsedFlags {
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) values.set(name, spec.default);
  const args: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  const set = (name: string, display: string, value: string) => {
    const spec = specs[name];
    if (spec.type === 'bool' && !GO_TRUE.includes(value) && !GO_FALSE.includes(value))
      throw new FlagError(
        `invalid argument "${value}" for "${display}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
      );
    if (spec.type === 'int' && parseGoInt(value, 0) === null)
      throw new FlagError(
        `invalid argument "${value}" for "${display}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`,
      );
    values.set(name, spec.type === 'bool' ? String(GO_TRUE.includes(value)) : value);
  };
  const displayOf = (name: string) =>
    specs[name].short ? `-${specs[name].short}, --${name}` : `--${name}`;

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (!own(specs, name)) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(name, displayOf(name), a.slice(eq + 1));
      else if (specs[name].type === 'bool') set(name, displayOf(name), 'true');
      else if (i + 1 < argv.length) set(name, displayOf(name), argv[++i]);
      else throw new FlagError(`flag needs an argument: ${a}`);
    } else if (a.startsWith('-') && a.length > 1) {
      // A group of shorthands: -hw json, -wjson, -w=json.
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const name = byShort.get(c);
        if (!name) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        if (specs[name].type === 'bool') {
          if (a[j + 1] === '=') {
            set(name, displayOf(name), a.slice(j + 2));
            break;
          }
          set(name, displayOf(name), 'true');
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest) set(name, displayOf(name), rest.startsWith('=') ? rest.slice(1) : rest);
        else if (i + 1 < argv.length) set(name, displayOf(name), argv[++i]);
        else throw new FlagError(`flag needs an argument: '${c}' in ${a}`);
        break;
      }
    } else args.push(a);
  }
  return { values, args };
}

/** Go's strconv.ParseInt; base 0 accepts 0x/0o/0b prefixes. Returns null on a syntax error. */
export function parseGoInt(s: string, base: 0 | 10 | 16): number | null {
  let body = s;
  let sign = 1;
  if (body.startsWith('+') || body.startsWith('-')) {
    sign = body[0] === '-' ? -1 : 1;
    body = body.slice(1);
  }
  let radix: number = base || 10;
  if (base === 0) {
    const p = body.slice(0, 2).toLowerCase();
    if (p === '0x') [radix, body] = [16, body.slice(2)];
    else if (p === '0b') [radix, body] = [2, body.slice(2)];
    else if (p === '0o') [radix, body] = [8, body.slice(2)];
    else if (body.length > 1 && body[0] === '0') [radix, body] = [8, body.slice(1)];
  }
  const digits = '0123456789abcdef'.slice(0, radix);
  if (!body || ![...body.toLowerCase()].every((ch) => digits.includes(ch))) return null;
  return sign * parseInt(body, radix);
}
