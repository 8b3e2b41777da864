import type { Memory } from '../app/index.js';
import type { SafeHtml } from './html.js';

/** What a page handler gets: the open memory and the request's URL. */
export interface PageContext {
  memory: Memory;
  url: URL;
}

/** A rendered page's content, or nothing found at that address. */
export type PageResult = { title: string; active: string; content: SafeHtml } | { notFound: string };

export type PageHandler = (context: PageContext, ...parameters: string[]) => Promise<PageResult>;

/** Which topic types, statuses, trust levels and sources a filter may name. */
export const TRUST_LEVELS = ['trusted', 'untrusted'] as const;
