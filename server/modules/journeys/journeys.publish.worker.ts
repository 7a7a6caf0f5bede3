import { parentPort } from 'node:worker_threads';
import { Channel, type Answer } from '../../kernel/threads/channel.js';
import { sliceDocumentRows, type SliceInput } from './journeys.publish.slice.js';

/**
 * The publication thread (journeys.publish.thread.ts): it protects a slice's cells and stores its documents,
 * the seconds of CPU a large slice takes, so the main thread keeps answering requests meanwhile. It has no
 * database: the main thread reads the slice and writes the documents.
 */

if (!parentPort) throw new Error('journeys.publish.worker runs as a worker thread');

const channel = new Channel(parentPort, {
  documents: (input: SliceInput): Answer => {
    const rows = sliceDocumentRows(input);
    // Each body is moved to the main thread, not copied; one that shares a pool slab is copied first, since
    // moving the slab would take it from every Buffer of this thread that shares it.
    const bodies = rows.map((row) =>
      row.body.buffer.byteLength === row.body.byteLength ? row.body : new Uint8Array(row.body),
    );
    return {
      value: rows.map((row, i) => ({ ...row, body: bodies[i]! })),
      transfer: [...new Set(bodies.map((body) => body.buffer as ArrayBuffer))],
    };
  },
});
void channel;
