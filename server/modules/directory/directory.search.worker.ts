import { parentPort, workerData } from 'node:worker_threads';
import { Channel, type Answer } from '../../kernel/threads/channel.js';
import { DirectorySearchIndex, type SearchRow, type SearchRowSource } from './directory.search.index.js';
import {
  areaCounts,
  searchBytes,
  searchObjects,
  type CountRequest,
  type SearchRequest,
} from './directory.search.page.js';

/**
 * The search thread (decision 0018): it holds the directory's index and answers searches and the map's counts.
 * It has no database of its own: the main thread reads the rows for it and passes on the notifications of
 * changed rows (the database may be PGlite, which lives in the main thread).
 */

if (!parentPort) throw new Error('directory.search.worker runs as a worker thread');
const port = parentPort;
const { loadBatchRows } = workerData as { loadBatchRows?: number };

/**
 * The answer's view and its ArrayBuffer to move to the main thread without copying. writeAnswer's Buffers have a
 * buffer of their own; any other (the shared pool's slab, exactly Buffer.poolSize bytes) is copied first, since
 * moving the pool would take it from every Buffer of this thread that shares it.
 */
function movable(bytes: Buffer): Answer {
  const own = bytes.buffer.byteLength !== Buffer.poolSize ? bytes : new Uint8Array(bytes);
  return { value: own, transfer: [own.buffer as ArrayBuffer] };
}

let onChange: ((organisationId: string) => void) | null = null;
let onLost: (() => void) | null = null;

const log = (level: 'info' | 'warn' | 'error') => (object: unknown, message?: string) =>
  channel.emit('log', { level, object, message });

const source: SearchRowSource = {
  readAll: (batchRows, onBatch) => channel.call('readAll', batchRows, (rows: SearchRow[]) => onBatch(rows)),
  readSome: (organisationIds) => channel.call('readSome', organisationIds),
  async listen(change, lost) {
    onChange = change;
    onLost = lost;
    await channel.call('listen');
    return {
      sync: () => channel.call('listenerSync'),
      unlisten: async () => {
        onChange = null;
        onLost = null;
        await channel.call('unlisten');
      },
    };
  },
};

const index = new DirectorySearchIndex(
  source,
  { info: log('info'), warn: log('warn'), error: log('error') } as never,
  loadBatchRows,
);

const channel: Channel = new Channel(
  port,
  {
    answer: async (request: SearchRequest) => movable(await searchBytes(index, request)),
    objects: async (request: SearchRequest) => ({ value: await searchObjects(index, request) }),
    areas: async (request: CountRequest) => ({ value: await areaCounts(index, request) }),
    ready: () => index.ready(),
    sync: () => index.sync(),
  },
  {
    invalidate: (organisationIds: string[]) => index.invalidate(organisationIds),
    changed: (organisationId: string) => onChange?.(organisationId),
    lost: () => onLost?.(),
  },
);
