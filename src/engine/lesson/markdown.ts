// The little Markdown a lesson is written in, parsed to plain data the UI renders as elements
// (never as HTML, so a lesson loaded from a URL cannot inject markup): headings, paragraphs,
// lists, tables, block quotes, fenced code; inline code, **strong**, *emphasis*, [links](url).

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] };

export type Block =
  | { kind: 'heading'; level: number; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] }
  | { kind: 'quote'; content: Inline[] }
  /** `info` is the text after the opening fence ('run node1', 'sh'); `line` is 1-based. */
  | { kind: 'fence'; info: string; text: string; line: number };

const FENCE = /^(```+|~~~+)\s*(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Links may go to the web, to this site or to an anchor; never `javascript:` and the like. */
function safeHref(href: string): string | null {
  if (/^(https?:|mailto:|#|\.{0,2}\/|[^:/?#]+([/?#]|$))/i.test(href)) return href;
  return null;
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^(`+)([^]*?[^`])\1(?!`)/))) {
      flush();
      out.push({ kind: 'code', text: m[2].trim() === '' ? m[2] : m[2].replace(/^ (.*) $/, '$1') });
    } else if ((m = rest.match(/^\*\*(?=\S)([^]*?\S)\*\*/))) {
      flush();
      out.push({ kind: 'strong', children: parseInline(m[1]) });
    } else if ((m = rest.match(/^\*(?=[^\s*])([^*]*?[^\s*]|[^\s*])\*/))) {
      flush();
      out.push({ kind: 'em', children: parseInline(m[1]) });
    } else if ((m = rest.match(/^\[([^\]]+)\]\(([^)\s]+)\)/))) {
      flush();
      const href = safeHref(m[2]);
      if (href) out.push({ kind: 'link', href, children: parseInline(m[1]) });
      else out.push(...parseInline(m[1]));
    } else if ((m = rest.match(/^\\([\\`*_[\]()#|>-])/))) {
      plain += m[1];
    } else {
      m = [rest[0]];
      plain += rest[0];
    }
    i += m[0].length;
  }
  flush();
  return out;
}

function cells(row: string): string[] {
  const t = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return t.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Parses Markdown text; `firstLine` numbers its lines as the file does (for fences' `line`). */
export function parseMarkdown(text: string, firstLine = 1): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  const isBlank = (l: string) => l.trim() === '';
  const startsBlock = (l: string) =>
    FENCE.test(l) || HEADING.test(l) || BULLET.test(l) || NUMBERED.test(l) || /^\s*>/.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = line.match(FENCE);
    if (fence) {
      const close = new RegExp(`^${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}\\s*$`);
      const body: string[] = [];
      const at = i;
      i++;
      while (i < lines.length && !close.test(lines[i])) body.push(lines[i++]);
      if (i >= lines.length) throw new MarkdownError(firstLine + at, 'code block is never closed');
      i++;
      blocks.push({
        kind: 'fence',
        info: fence[2].trim(),
        text: body.join('\n'),
        line: firstLine + at,
      });
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1].length, content: parseInline(heading[2]) });
      i++;
      continue;
    }
    if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = !BULLET.test(line);
      const item = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const m = lines[i].match(item);
        if (m) items.push(m[1]);
        else if (/^\s+\S/.test(lines[i]) && items.length)
          items[items.length - 1] += ` ${lines[i].trim()}`;
        else break;
        i++;
      }
      blocks.push({ kind: 'list', ordered, items: items.map(parseInline) });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]))
        body.push(lines[i++].replace(/^\s*>\s?/, ''));
      blocks.push({ kind: 'quote', content: parseInline(body.join(' ').trim()) });
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      const head = cells(line).map(parseInline);
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && lines[i].includes('|') && !isBlank(lines[i])) {
        rows.push(cells(lines[i++]).map(parseInline));
      }
      blocks.push({ kind: 'table', head, rows });
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      !isBlank(lines[i]) &&
      (para.length === 0 || !startsBlock(lines[i]))
    ) {
      para.push(lines[i++].trim());
    }
    blocks.push({ kind: 'paragraph', content: parseInline(para.join(' ')) });
  }
  return blocks;
}

export class MarkdownError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** The text of inline content without its markup (for labels and screen readers). */
export function plainText(content: Inline[]): string {
  return content.map((c) => ('children' in c ? plainText(c.children) : c.text)).join('');
}
