import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Database, Listener } from '../../kernel/db/client.js';
import { Channel } from '../../kernel/threads/channel.js';
import { workerScript } from '../../kernel/threads/script.js';
import type { SearchRow } from './directory.search.index.js';
import type { AreaCounts, CountRequest, DirectorySearch, SearchRequest } from './directory.search.page.js';
import { databaseRows } from './directory.search.rows.js';
import type { SearchResult } from './directory.search.schemas.js';

/**
 * The directory search in a worker thread of its own (decision 0018), seen from the main thread: it starts the
 * thread on first use, reads the rows the thread's index asks for from this process's database, passes on the
 * database's notifications, and relays what the thread logs. If the thread dies, the calls waiting for it fail
 * and the next call starts another (which loads the index again).
 */
export class SearchThread implements DirectorySearch {
  private worker: Worker | null = null;
  private channel: Channel | null = null;
  private listener: Listener | null = null;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    /** Rows read per round trip while loading (tests make it small). */
    private readonly loadBatchRows?: number,
  ) {}

  private start(): Channel {
    if (this.closed) throw new Error('the directory search thread has been closed');
    if (this.channel) return this.channel;
    const rows = databaseRows(this.database);
    const [script, options] = workerScript(import.meta.url, 'directory.search.worker');
    const worker = new Worker(script, { ...options, workerData: { loadBatchRows: this.loadBatchRows } });
    // The thread never keeps the process alive on its own: the server does, while it listens.
    worker.unref();
    const channel = new Channel(
      worker,
      {
        readAll: (batchRows: number, progress) =>
          rows.readAll(batchRows, (batch: SearchRow[]) => progress(batch)),
        readSome: async (organisationIds: string[]) => ({ value: await rows.readSome(organisationIds) }),
        listen: async () => {
          await this.unlisten();
          this.listener = await rows.listen(
            (organisationId) => channel.emit('changed', organisationId),
            () => {
              this.listener = null;
              channel.emit('lost');
            },
          );
        },
        listenerSync: () => this.listener?.sync(),
        unlisten: () => this.unlisten(),
      },
      {
        log: ({
          level,
          object,
          message,
        }: {
          level: 'info' | 'warn' | 'error';
          object: unknown;
          message?: string;
        }) => this.log[level](object, message),
      },
    );
    worker.on('error', (error) => this.log.error({ err: error }, 'directory search thread failed'));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.channel = null;
      void this.unlisten();
      channel.failAll(new Error(`the directory search thread stopped (exit code ${code})`));
      if (!this.closed)
        this.log.error({ code }, 'directory search thread stopped; the next search starts another');
    });
    this.worker = worker;
    this.channel = channel;
    return channel;
  }

  private async unlisten(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.unlisten();
  }

  async answer(request: SearchRequest): Promise<Buffer> {
    const bytes = await this.start().call<Uint8Array>('answer', request);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  objects(request: SearchRequest): Promise<SearchResult> {
    return this.start().call('objects', request);
  }

  areas(request: CountRequest): Promise<AreaCounts> {
    return this.start().call('areas', request);
  }

  invalidate(organisationIds: string[]): void {
    // Nothing to tell a thread that has not started: it will read every row when it does.
    this.channel?.emit('invalidate', organisationIds);
  }

  async ready(): Promise<void> {
    await this.start().call('ready');
  }

  async sync(): Promise<void> {
    await this.start().call('sync');
  }

  async close(): Promise<void> {
    this.closed = true;
    const { worker, channel } = this;
    this.worker = null;
    this.channel = null;
    await this.unlisten();
    await worker?.terminate();
    channel?.failAll(new Error('the directory search thread has been closed'));
  }
}
