// `kubectl get -o yaml`: the object through sigs.k8s.io/yaml (JSON, then go-yaml v2): map keys
// sorted, lists not indented under their key, multi-line strings as literal blocks (`|`, or
// `|-` without a final newline), and strings that would read as another type quoted.

const RESERVED = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMBER = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0x[0-9a-f]+$/i;
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:[Tt ].*)?$/;
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@` ]/;

/** go-yaml v2 quotes a string that would resolve to another type, or would not parse plain. */
function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  const quoted =
    value === '' ||
    RESERVED.test(value) ||
    NUMBER.test(value) ||
    TIMESTAMP.test(value) ||
    INDICATOR.test(value) ||
    /: | #|[:\s]$/.test(value);
  return quoted ? JSON.stringify(value) : value;
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    return value.flatMap((item) => {
      const inner = block(item, `${indent}  `);
      if (inner === null) return [`${indent}- ${scalar(item)}`];
      const [first, ...rest] = inner;
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  const out: string[] = [];
  for (const key of Object.keys(value as object).sort()) {
    const v = (value as Record<string, unknown>)[key];
    const k = scalar(key);
    if (typeof v === 'string' && v.includes('\n')) {
      const chomp = v.endsWith('\n') ? '|' : '|-';
      const body = (v.endsWith('\n') ? v.slice(0, -1) : v).split('\n');
      out.push(`${indent}${k}: ${chomp}`, ...body.map((l) => (l ? `${indent}  ${l}` : '')));
      continue;
    }
    const inner = block(v, Array.isArray(v) ? indent : `${indent}  `);
    if (inner === null) out.push(`${indent}${k}: ${scalar(v)}`);
    else if (inner.length === 0) out.push(`${indent}${k}: ${Array.isArray(v) ? '[]' : '{}'}`);
    else out.push(`${indent}${k}:`, ...inner);
  }
  return out;
}

/** The lines of a map or list, or null for a scalar. */
function block(value: unknown, indent: string): string[] | null {
  if (value === null || typeof value !== 'object') return null;
  return lines(value, indent);
}

export function toYaml(value: object): string {
  return `${lines(value, '').join('\n')}\n`;
}
