// Which lab the page opens: a share link in the hash (`#config=...`), else the URL
// parameters, else — on a bare visit — the landing view. The result carries the canonical
// URL (query parameters, lab id included, no hash) that a reload will find again.

import {
  formatLabParams,
  parseLabParams,
  defaultLab,
  type LabConfig,
} from '../engine/lab/params.ts';
import { randomHex } from '../workers/random-hex.ts';
import { decodeShareToken, shareToken } from './share-link.ts';

export type PageLabConfig = LabConfig & { labId: string };

export interface PageLab {
  config: PageLabConfig;
  notices: string[];
  noticeTitle: string | null;
  /** A bare visit (no parameters, no link): show the landing view before booting. */
  landing: boolean;
  /** The URL chose the theme (it then wins over the remembered choice). */
  themeFromUrl: boolean;
  /** Search part to put in the address bar ('?lab=...'), the hash dropped. */
  canonicalSearch: string;
  /** `?lesson=`: a shipped lesson's id or a same-origin URL of one (lessons/README.md). */
  lesson: string | null;
  /** The URL named the lab (`lab=`): a lesson then runs on it, not on the one it last used. */
  labFromUrl: boolean;
}

/** Eight hex digits (also where the page is no secure context: see random-hex.ts). */
export function newLabId(): string {
  return randomHex(4);
}

export async function resolvePageLab(search: string, hash: string): Promise<PageLab> {
  const params = new URLSearchParams(search);
  const parsed = parseLabParams(params);
  let config: LabConfig = parsed.config;
  let notices = [...parsed.errors, ...parsed.notes];
  let noticeTitle =
    parsed.errors.length > 0
      ? 'Some URL parameters were not valid; their defaults are used instead.'
      : null;
  const token = shareToken(hash);
  if (token !== null) {
    const shared = await decodeShareToken(token);
    // The link decides the lab's shape; theme and readonly still come from the parameters.
    const base = shared.ok ? shared.config : defaultLab();
    config = { ...base, labId: null, theme: parsed.config.theme, readonly: parsed.config.readonly };
    if (!shared.ok) {
      notices = [shared.error];
      noticeTitle = 'The share link could not be opened.';
    }
  }
  const full: PageLabConfig = { ...config, labId: config.labId ?? newLabId() };
  const bare = [...params.keys()].filter((k) => k !== 'theme').length === 0 && token === null;
  return {
    config: full,
    notices,
    noticeTitle,
    landing: bare && params.get('start') === null,
    themeFromUrl: params.has('theme'),
    canonicalSearch: formatLabParams(full),
    lesson: params.get('lesson'),
    labFromUrl: params.has('lab'),
  };
}
