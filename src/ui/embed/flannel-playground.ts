// <flannel-playground>: the playground as a custom element for docs pages. Everything lives
// in a shadow root (styles in, page styles out); colours and fonts follow --fp-* custom
// properties. Attributes: nodes, backend, network, subnet-len, lab, theme, readonly, height,
// start (lazy|eager), script / script-host (or a <script type="text/plain" data-host> child),
// controls (the toolbar's groups: clock, backend, hosts, capture, reset; default capture),
// lesson (a shipped lesson's id or a same-origin URL; or a <script type="text/markdown"
// data-lesson="id"> child holding the lesson inline: the lesson then decides the lab's shape).
// Events: `ready` (lab up and initial script run), `error` (detail: { message }).
// API: `el.run(host, command, { echo })` resolves to the command's output; with echo, the
// host's terminal is shown and the command typed into it (the keyboard stays where it is).

import { mount, unmount } from 'svelte';
import type { Lab } from '../lab.svelte.ts';
import { adoptStyle } from '../adopt-style.ts';
import { newLabId } from '../page-lab.ts';
import { LAB_ATTRIBUTES, readWidgetConfig, type WidgetConfig } from './attributes.ts';
import { parseLesson, type Lesson, type ParsedLesson } from '../../engine/lesson/format.ts';
import { lessonLabConfig, openLesson } from '../lesson/page-lesson.ts';
import Widget from './Widget.svelte';

const HOST_CSS = `
:host {
  display: block;
  position: relative;
  height: var(--fp-height, 520px);
  min-height: 260px;
  resize: vertical;
  overflow: hidden;
  border: 1px solid var(--fp-frame, #d5dbe3);
  border-radius: var(--fp-radius, 10px);
  contain: content;
}
:host([hidden]) { display: none; }
.root { height: 100%; }
`;

/** A CSS length for the height attribute: a bare number means pixels. */
function cssHeight(value: string): string | null {
  const v = /^\d+(\.\d+)?$/.test(value.trim()) ? `${value.trim()}px` : value.trim();
  return CSS.supports('height', v) ? v : null;
}

export interface RunOptions {
  /** Show the host's terminal and type the command into it, for the reader to see. */
  echo?: boolean;
}

export class FlannelPlayground extends HTMLElement {
  static observedAttributes = [...LAB_ATTRIBUTES, 'height'];

  private component: ReturnType<typeof mount> | null = null;
  private lab: Lab | null = null;
  private labWaiters: ((lab: Lab) => void)[] = [];
  private remountQueued = false;

  connectedCallback(): void {
    this.applyHeight();
    if (!this.component) this.render();
  }

  disconnectedCallback(): void {
    // Moving the element around the page reconnects it at once: only a real removal stops it.
    queueMicrotask(() => {
      if (!this.isConnected) this.teardown();
    });
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value) return;
    if (name === 'height') {
      this.applyHeight();
      return;
    }
    // Any other attribute changes the lab itself: start a new one (once per batch of changes).
    if (!this.component || this.remountQueued) return;
    this.remountQueued = true;
    queueMicrotask(() => {
      this.remountQueued = false;
      this.teardown();
      if (this.isConnected) this.render();
    });
  }

  /** The lab's id (its wire and stored data); widgets sharing it share one lab network. */
  get labId(): string | null {
    return this.lab?.config.labId ?? null;
  }

  /**
   * Runs `command` on `host` (booting the lab if needed) and resolves to its output. It shows
   * in the host's terminal when that is open; `echo: true` opens and shows it first.
   */
  async run(host: string, command: string, options: RunOptions = {}): Promise<string> {
    const lab = this.lab ?? (await this.bootAndWait());
    if (options.echo) {
      if (!lab.hosts.some((h) => h.config.hostname === host)) {
        throw new Error(`no host named ${host}`);
      }
      (this.component as { show?: (host: string) => void } | null)?.show?.(host);
    }
    return lab.exec(host, command);
  }

  private bootAndWait(): Promise<Lab> {
    return new Promise((resolve) => {
      this.labWaiters.push(resolve);
      (this.component as { boot?: () => Lab } | null)?.boot?.();
    });
  }

  /** The widget's lesson, if it has one: inline Markdown first, else the `lesson` attribute. */
  private readLesson(): Promise<ParsedLesson> | null {
    const inline = this.querySelector(':scope > script[type="text/markdown"]');
    if (inline) {
      return Promise.resolve(
        parseLesson(inline.getAttribute('data-lesson') ?? 'inline', inline.textContent ?? ''),
      );
    }
    const ref = this.getAttribute('lesson');
    return ref === null ? null : openLesson(ref);
  }

  private render(): void {
    const pending = this.readLesson();
    if (!pending) {
      this.mountWidget(null);
      return;
    }
    void pending.then((parsed) => {
      if (this.isConnected && !this.component) this.mountWidget(parsed);
    });
  }

  private mountWidget(parsed: ParsedLesson | null): void {
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    const root = document.createElement('div');
    root.className = 'root';
    shadow.append(root);
    adoptStyle(root, 'host', HOST_CSS);
    const child = this.querySelector(':scope > script[type="text/plain"]');
    const widget: WidgetConfig = readWidgetConfig(
      (n) => this.getAttribute(n),
      child ? { text: child.textContent ?? '', host: child.getAttribute('data-host') } : null,
      newLabId,
    );
    let lesson: Lesson | null = null;
    if (parsed?.ok) {
      lesson = parsed.lesson;
      widget.config = lessonLabConfig(lesson, widget.config, {
        labFromUrl: this.hasAttribute('lab'),
      });
    } else if (parsed) {
      widget.notices.push(...parsed.errors);
    }
    this.dataset.lab = widget.config.labId;
    // After the current task, so listeners added right after the element see it.
    if (widget.notices.length > 0) setTimeout(() => this.fail(widget.notices.join('\n')));
    this.component = mount(Widget, {
      target: root,
      props: {
        widget,
        lesson,
        onlab: (lab: Lab) => {
          this.lab = lab;
          for (const w of this.labWaiters.splice(0)) w(lab);
        },
        onready: () =>
          this.dispatchEvent(new CustomEvent('ready', { detail: { labId: this.labId } })),
        onerror: (message: string) => this.fail(message),
      },
    });
  }

  private fail(message: string): void {
    this.dispatchEvent(new CustomEvent('error', { detail: { message } }));
  }

  private teardown(): void {
    if (this.component) void unmount(this.component);
    this.component = null;
    this.lab = null;
  }

  private applyHeight(): void {
    const h = this.getAttribute('height');
    const v = h === null ? null : cssHeight(h);
    if (v) this.style.setProperty('--fp-height', v);
    else this.style.removeProperty('--fp-height');
  }
}
