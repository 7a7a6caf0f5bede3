import type { Kernel } from '../../kernel/kernel.js';
import type { Database } from '../../kernel/db/client.js';
import { DirectorySearchIndex } from './directory.search.index.js';
import {
  areaCounts,
  searchBytes,
  searchObjects,
  type CountRequest,
  type DirectorySearch,
  type SearchRequest,
} from './directory.search.page.js';
import { databaseRows } from './directory.search.rows.js';
import { SearchThread } from './directory.search.thread.js';

export type { DirectorySearch } from './directory.search.page.js';

/**
 * The index in this thread (`CAIRN_SEARCH_THREAD=false`, the tests' default); otherwise a worker thread of its own
 * holds it (SearchThread, decision 0018).
 */
export class LocalSearch implements DirectorySearch {
  constructor(readonly index: DirectorySearchIndex) {}
  answer(request: SearchRequest) {
    return searchBytes(this.index, request);
  }
  objects(request: SearchRequest) {
    return searchObjects(this.index, request);
  }
  areas(request: CountRequest) {
    return areaCounts(this.index, request);
  }
  invalidate(organisationIds: string[]) {
    this.index.invalidate(organisationIds);
  }
  ready() {
    return this.index.ready();
  }
  sync() {
    return this.index.sync();
  }
  close() {
    return this.index.close();
  }
}

const searches = new WeakMap<Database, DirectorySearch>();

/** Closes the search of this kernel's database, if it has one (the app's onClose); the next use makes another. */
export async function closeDirectorySearch(kernel: Pick<Kernel, 'database'>): Promise<void> {
  const search = searches.get(kernel.database);
  searches.delete(kernel.database);
  await search?.close();
}

/** The directory search of this kernel's database (made on first use; its index loads on first query). */
export function directorySearchOf(kernel: Pick<Kernel, 'config' | 'database' | 'log'>): DirectorySearch {
  let search = searches.get(kernel.database);
  if (!search) {
    search = kernel.config.searchThread
      ? new SearchThread(kernel.database, kernel.log)
      : new LocalSearch(new DirectorySearchIndex(databaseRows(kernel.database), kernel.log));
    searches.set(kernel.database, search);
  }
  return search;
}
