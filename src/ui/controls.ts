// The lab's toolbar, in groups an embedder can choose (`controls="clock,capture"`): the page
// shows them all, a widget on a docs page only what its readers need.

export const CONTROLS = ['clock', 'backend', 'hosts', 'capture', 'reset'] as const;
/** clock: speed and +1 h / +24 h; backend: switch it; hosts: add and remove; capture: the
 * topology's tcpdump buttons and the packet journey's Trace; reset: delete the lab's data and
 * boot it fresh. */
export type Control = (typeof CONTROLS)[number];

/** A widget without a `controls` attribute: watching traffic changes nothing in the lab. */
export const WIDGET_CONTROLS: readonly Control[] = ['capture'];

function isControl(name: string): name is Control {
  return (CONTROLS as readonly string[]).includes(name);
}

/** Reads a comma- or space-separated list; unknown names are reported and left out. */
export function parseControls(value: string): { controls: Control[]; errors: string[] } {
  const names = value.split(/[\s,]+/).filter((n) => n !== '');
  const unknown = names.filter((n) => !isControl(n));
  return {
    controls: CONTROLS.filter((c) => names.includes(c)),
    errors: unknown.map(
      (n) => `controls=${value}: unknown control ${n} (expected ${CONTROLS.join(', ')})`,
    ),
  };
}
