// The widget's attributes, read into a lab configuration with the same rules (and messages)
// as the page's URL parameters.

import { shorten } from '../../engine/text/shorten.ts';
import { parseLabParams, type LabConfig } from '../../engine/lab/params.ts';
import { parseControls, WIDGET_CONTROLS, type Control } from '../controls.ts';

export interface WidgetScript {
  host: string;
  /** Shell lines, run one after another (blank lines and `#` comments dropped). */
  lines: string[];
}

export interface WidgetConfig {
  config: LabConfig & { labId: string };
  notices: string[];
  /** start="eager": boot at once; otherwise when scrolled into view or clicked. */
  eager: boolean;
  script: WidgetScript | null;
  /** The toolbar's groups (attribute `controls`). */
  controls: readonly Control[];
}

/** Attribute name -> URL parameter name. */
const PARAMS: Record<string, string> = {
  nodes: 'nodes',
  backend: 'backend',
  network: 'network',
  'subnet-len': 'subnetLen',
  lab: 'lab',
  theme: 'theme',
  readonly: 'readonly',
  etcd: 'etcd',
  scenario: 'scenario',
};
export const LAB_ATTRIBUTES = [
  ...Object.keys(PARAMS),
  'start',
  'script',
  'script-host',
  'controls',
  'lesson',
];

export function scriptLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * `attr` reads an attribute (null when absent); `scriptText`/`scriptHost` come from a
 * `<script type="text/plain">` child when there is one.
 */
export function readWidgetConfig(
  attr: (name: string) => string | null,
  child: { text: string; host: string | null } | null,
  newLabId: () => string,
): WidgetConfig {
  const params = new URLSearchParams();
  for (const [name, param] of Object.entries(PARAMS)) {
    const v = attr(name);
    if (v !== null) params.set(param, v);
  }
  const parsed = parseLabParams(params);
  const notices = [...parsed.errors, ...parsed.notes].map((line) => {
    // Name the attribute, not the URL parameter.
    const [param] = line.split('=', 1);
    const name = Object.keys(PARAMS).find((k) => PARAMS[k] === param);
    return name && name !== param ? name + line.slice(param.length) : line;
  });
  const start = attr('start');
  if (start !== null && start !== 'lazy' && start !== 'eager') {
    notices.push(`start=${shorten(start)}: expected lazy or eager`);
  }
  const config = { ...parsed.config, labId: parsed.config.labId ?? newLabId() };
  const hosts = config.hosts.map((h) => h.hostname);
  const text = child?.text ?? attr('script') ?? '';
  let script: WidgetScript | null = null;
  const lines = scriptLines(text);
  if (lines.length > 0) {
    const host = child?.host ?? attr('script-host') ?? hosts[0];
    if (hosts.includes(host)) script = { host, lines };
    else
      notices.push(`script-host=${shorten(host)}: no such host (this lab has ${hosts.join(', ')})`);
  }
  let controls = WIDGET_CONTROLS;
  const listed = attr('controls');
  if (listed !== null) {
    const parsed = parseControls(listed);
    controls = parsed.controls;
    notices.push(...parsed.errors);
  }
  return { config, notices, eager: start === 'eager', script, controls };
}
