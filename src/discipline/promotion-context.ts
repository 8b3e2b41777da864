import type { Clock } from '../shared/index.js';
import type { SearchIndex } from '../retrieval/index.js';

/** What planning a promotion reads: the files, the search index, the time and new ids. */
export interface PromotionContext {
  root: string;
  search: SearchIndex;
  clock: Clock;
  newId: () => string;
}
