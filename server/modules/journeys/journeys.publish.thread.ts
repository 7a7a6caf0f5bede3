import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { Channel } from '../../kernel/threads/channel.js';
import { workerScript } from '../../kernel/threads/script.js';
import type { SliceDocumentRow, SliceDocumentsOf, SliceInput } from './journeys.publish.slice.js';

/**
 * The publication thread, seen from the main thread: the slice's protection and documents are computed there
 * (journeys.publish.worker.ts), the seconds of CPU a large slice takes at the scale, while this thread
 * keeps serving requests. Started on first use; if it dies, the calls waiting for it fail (their publication's
 * transaction rolls back and the slice stays marked for the next run) and the next call starts another.
 */
export class PublishThread {
  private worker: Worker | null = null;
  private channel: Channel | null = null;
  private closed = false;

  constructor(private readonly log: Logger) {}

  private start(): Channel {
    if (this.closed) throw new Error('the journey map publication thread has been closed');
    if (this.channel) return this.channel;
    const [script, options] = workerScript(import.meta.url, 'journeys.publish.worker');
    const worker = new Worker(script, options);
    // The thread never keeps the process alive on its own.
    worker.unref();
    const channel = new Channel(worker, {});
    worker.on('error', (error) => this.log.error({ err: error }, 'journey map publication thread failed'));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.channel = null;
      channel.failAll(new Error(`the journey map publication thread stopped (exit code ${code})`));
    });
    this.worker = worker;
    this.channel = channel;
    return channel;
  }

  /** A slice's documents, computed in the thread. */
  readonly documents: SliceDocumentsOf = async (input: SliceInput) => {
    const rows = await this.start().call<SliceDocumentRow[]>('documents', input);
    return rows.map((row) => ({
      ...row,
      body: Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength),
    }));
  };

  /** Stops the thread (the server is closing); a publication still waiting on it fails and rolls back. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.channel?.failAll(new Error('the journey map publication thread has been closed'));
    this.channel = null;
    await worker?.terminate();
  }
}
