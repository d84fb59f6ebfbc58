// The embedding demo's own script (embed.html): a "Run" button beside a code block shows node2
// and types the line there. A module of its own, not an inline script, so the page's
// Content-Security-Policy allows no inline script (see ../csp.ts).

interface RunsLines extends HTMLElement {
  run(host: string, line: string, opts: { echo: boolean }): Promise<unknown>;
}

const button = document.getElementById('run-ip-route') as HTMLButtonElement | null;
button?.addEventListener('click', () => {
  const widget = document.getElementById('host-gw-demo') as RunsLines | null;
  void widget?.run(button.dataset.host ?? 'node1', 'ip route', { echo: true });
});
