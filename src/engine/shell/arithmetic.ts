// `$((...))`: bash's integer arithmetic, 64-bit and wrapping, evaluated while it is parsed
// (precedence climbing). Variables are read and assigned through `vars`; a variable that holds
// an expression is evaluated in turn, one that is unset or empty counts as 0, as in bash.

export class ArithmeticError extends Error {
  constructor(expr: string, message: string, token: string) {
    super(`${expr.trim()}: ${message} (error token is "${token}")`);
    this.name = 'ArithmeticError';
  }
}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const wrap = (n: bigint) => BigInt.asIntN(64, n);
const TOKEN =
  /^\s*(?:(0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|[-+*/%<>=!~&|^?:(),]))/;

/** Binary operators by precedence, loosest first (assignment and `?:` are handled apart). */
const LEVELS: string[][] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

type Tok = { kind: 'num' | 'name' | 'op'; text: string; at: number };

class Evaluator {
  private toks: Tok[] = [];
  private pos = 0;
  /** While false (the untaken side of `&&`, `||`, `?:`) nothing is assigned or divided. */
  private live = true;
  private nesting = 0;

  constructor(
    private readonly expr: string,
    private readonly vars: ArithVars,
    private readonly depth: number,
  ) {
    let i = 0;
    while (i < expr.length) {
      if (/^\s*$/.test(expr.slice(i))) break;
      const m = TOKEN.exec(expr.slice(i));
      if (!m) throw this.error('syntax error: invalid arithmetic operator', expr.slice(i).trim());
      const at = i + m[0].length - (m[1] ?? m[2] ?? m[3]).length;
      this.toks.push({ kind: m[1] ? 'num' : m[2] ? 'name' : 'op', text: m[1] ?? m[2] ?? m[3], at });
      i += m[0].length;
    }
  }

  private error(message: string, token?: string): ArithmeticError {
    const t = token ?? this.rest();
    return new ArithmeticError(this.expr, message, t);
  }

  /** The source from the current token on: what bash calls the error token. */
  private rest(): string {
    const t = this.toks[this.pos];
    return t ? this.expr.slice(t.at).trim() : '';
  }

  private isOp(text: string): boolean {
    const t = this.toks[this.pos];
    return t?.kind === 'op' && t.text === text;
  }

  run(): bigint {
    if (!this.toks.length) return 0n;
    const v = this.comma();
    if (this.pos < this.toks.length) throw this.error('syntax error in expression');
    return v;
  }

  private comma(): bigint {
    let v = this.assign();
    while (this.isOp(',')) {
      this.pos++;
      v = this.assign();
    }
    return v;
  }

  private assign(): bigint {
    const t = this.toks[this.pos];
    const op = this.toks[this.pos + 1];
    if (t?.kind === 'name' && op?.kind === 'op' && /^([-+*/%&|^]|<<|>>)?=$/.test(op.text)) {
      this.pos += 2;
      const rhs = this.assign();
      const value =
        op.text === '=' ? rhs : this.binary(op.text.slice(0, -1), this.variable(t.text), rhs);
      return this.store(t.text, value);
    }
    return this.ternary();
  }

  private ternary(): bigint {
    const cond = this.level(0);
    if (!this.isOp('?')) return cond;
    this.pos++;
    const live = this.live;
    this.live = live && cond !== 0n;
    const a = this.assign();
    if (!this.isOp(':')) throw this.error("syntax error: `:' expected for conditional expression");
    this.pos++;
    this.live = live && cond === 0n;
    const b = this.assign();
    this.live = live;
    return cond !== 0n ? a : b;
  }

  private level(n: number): bigint {
    if (n === LEVELS.length) return this.power();
    let left = this.level(n + 1);
    for (;;) {
      const t = this.toks[this.pos];
      if (t?.kind !== 'op' || !LEVELS[n].includes(t.text)) return left;
      this.pos++;
      const live = this.live;
      if (t.text === '&&' || t.text === '||') {
        this.live = live && (t.text === '&&' ? left !== 0n : left === 0n);
        const right = this.level(n + 1);
        this.live = live;
        left = BigInt(t.text === '&&' ? left !== 0n && right !== 0n : left !== 0n || right !== 0n);
      } else left = this.binary(t.text, left, this.level(n + 1));
    }
  }

  private binary(op: string, a: bigint, b: bigint): bigint {
    if ((op === '/' || op === '%') && b === 0n) {
      if (!this.live) return 0n;
      const prev = this.toks[this.pos - 1];
      throw this.error('division by 0', prev ? this.expr.slice(prev.at).trim() : '');
    }
    switch (op) {
      case '+': return wrap(a + b);
      case '-': return wrap(a - b);
      case '*': return wrap(a * b);
      case '/': return wrap(a / b);
      case '%': return wrap(a % b);
      case '<<': return wrap(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '&': return a & b;
      case '|': return a | b;
      case '^': return a ^ b;
      case '<': return BigInt(a < b);
      case '>': return BigInt(a > b);
      case '<=': return BigInt(a <= b);
      case '>=': return BigInt(a >= b);
      case '==': return BigInt(a === b);
      default: return BigInt(a !== b); // '!='
    }
  } // prettier-ignore

  private power(): bigint {
    const base = this.unary();
    if (!this.isOp('**')) return base;
    this.pos++;
    const exp = this.power();
    if (exp < 0n) throw this.error('exponent less than 0');
    return wrap(base ** exp);
  }

  private unary(): bigint {
    // `((((...` and `- - - ...` recurse: cap it well before the stack runs out.
    if (++this.nesting > 256) throw this.error('expression recursion level exceeded');
    try {
      return this.unaryAt();
    } finally {
      this.nesting--;
    }
  }

  private unaryAt(): bigint {
    const t = this.toks[this.pos];
    if (t?.kind === 'op') {
      if (t.text === '++' || t.text === '--') {
        const name = this.toks[this.pos + 1];
        if (name?.kind !== 'name') {
          this.pos++;
          return this.unary();
        }
        this.pos += 2;
        return this.store(name.text, wrap(this.variable(name.text) + (t.text === '++' ? 1n : -1n)));
      }
      if ('+-!~'.includes(t.text) && t.text.length === 1) {
        this.pos++;
        const v = this.unary();
        if (t.text === '-') return wrap(-v);
        if (t.text === '!') return BigInt(v === 0n);
        if (t.text === '~') return ~v;
        return v;
      }
    }
    return this.postfix();
  }

  private postfix(): bigint {
    const t = this.toks[this.pos];
    if (!t) throw this.error('syntax error: operand expected', this.lastOp());
    if (t.kind === 'num') {
      this.pos++;
      return this.number(t.text);
    }
    if (t.kind === 'name') {
      this.pos++;
      const value = this.variable(t.text);
      if (this.isOp('++') || this.isOp('--')) {
        const step = this.isOp('++') ? 1n : -1n;
        this.pos++;
        this.store(t.text, wrap(value + step));
      }
      return value;
    }
    if (t.text === '(') {
      this.pos++;
      const v = this.comma();
      if (!this.isOp(')')) throw this.error("syntax error: `)' expected");
      this.pos++;
      return v;
    }
    throw this.error('syntax error: operand expected');
  }

  /** The operator just read: bash names it when the expression ends too early. */
  private lastOp(): string {
    return this.toks[this.pos - 1]?.text ?? '';
  }

  private number(text: string): bigint {
    let base = 10;
    let digits = text;
    if (/^0[xX]/.test(text)) [base, digits] = [16, text.slice(2)];
    else if (text.includes('#')) {
      const [b, d] = text.split('#');
      [base, digits] = [Number(b), d];
      if (base < 2 || base > 64) throw this.error('invalid arithmetic base', text);
    } else if (text.length > 1 && text.startsWith('0')) [base, digits] = [8, text.slice(1)];
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_';
    let n = 0n;
    for (const ch of digits) {
      const d = base <= 36 ? alphabet.indexOf(ch.toLowerCase()) : alphabet.indexOf(ch);
      if (d < 0 || d >= base) throw this.error('value too great for base', text);
      n = wrap(n * BigInt(base) + BigInt(d));
    }
    return n;
  }

  private variable(name: string): bigint {
    const raw = this.vars.get(name)?.trim() ?? '';
    if (raw === '') return 0n;
    if (/^-?\d+$/.test(raw)) return wrap(BigInt(raw));
    if (this.depth > 1024) throw this.error('expression recursion level exceeded', name);
    return new Evaluator(raw, this.vars, this.depth + 1).run();
  }

  private store(name: string, value: bigint): bigint {
    if (this.live) this.vars.set(name, String(value));
    return value;
  }
}

/** Evaluates an arithmetic expression; throws ArithmeticError with bash's message. */
export function evaluateArithmetic(expr: string, vars: ArithVars): bigint {
  return new Evaluator(expr, vars, 0).run();
}
