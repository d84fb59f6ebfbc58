// Adds a stylesheet once to the root that `node` lives in: the page's <head>, or the shadow
// root of the <flannel-playground> widget (page styles do not reach into a shadow root).

export function adoptStyle(node: Node, id: string, css: string): void {
  const root = node.getRootNode();
  const target = root instanceof ShadowRoot ? root : document.head;
  const marker = `fp-style-${id}`;
  if (target.querySelector(`style[data-fp="${marker}"]`)) return;
  const style = document.createElement('style');
  style.dataset.fp = marker;
  style.textContent = css;
  target.prepend(style);
}
