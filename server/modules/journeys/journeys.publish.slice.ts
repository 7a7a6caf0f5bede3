import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sliceDocuments, type AreaDocument, type WorldDocument } from './journeys.documents.js';
import { publishSlice, type MapPeriod, type YearFlow, type YearHotspot } from './journeys.publish.js';

/**
 * The CPU part of publishing a slice, with no database: protect its cells (journeys.publish.ts), lay out its
 * documents (journeys.documents.ts), and store each as gzipped JSON with its ETag. Run by the publication in a
 * worker thread of its own (journeys.publish.thread.ts), or in the calling thread.
 */

/** The world's document as stored: with every period the map offers, the same in every slice. */
export interface PublishedWorldDocument extends WorldDocument {
  periods: MapPeriod[];
}

/** A document's stored form: gzipped JSON and a strong ETag of it. */
export function storedDocument(document: object): { body: Buffer; etag: string } {
  const json = JSON.stringify(document);
  const hash = createHash('sha256').update(json).digest('base64url').slice(0, 22);
  return { body: gzipSync(json, { level: 9 }), etag: `"${hash}"` };
}

/** One stored document of a slice: its period, its area ('' for the world) and its bytes. */
export interface SliceDocumentRow {
  period: string;
  area: string;
  body: Uint8Array;
  etag: string;
}

/** What a slice's publication needs: its cells by year, the periods the map offers, and k. */
export interface SliceInput {
  flows: YearFlow[];
  hotspots: YearHotspot[];
  periods: MapPeriod[];
  k: number;
}

/** Every document of a slice, protected and stored. */
export function sliceDocumentRows({ flows, hotspots, periods, k }: SliceInput): SliceDocumentRow[] {
  const documents = sliceDocuments(publishSlice(flows, hotspots, periods, k), periods, k);
  const rows: SliceDocumentRow[] = [];
  for (const [period, world] of documents.world) {
    const document: PublishedWorldDocument = { ...world, periods: [...periods] };
    rows.push({ period, area: '', ...storedDocument(document) });
  }
  for (const [period, areas] of documents.areas) {
    for (const [area, document] of areas) {
      rows.push({ period, area, ...storedDocument(document satisfies AreaDocument) });
    }
  }
  return rows;
}

/** How a publication computes a slice's documents: in this thread, or in the publication thread. */
export type SliceDocumentsOf = (input: SliceInput) => Promise<SliceDocumentRow[]>;

/** In the calling thread (the tests' default, and `CAIRN_PUBLISH_THREAD=false`). */
export const inThisThread: SliceDocumentsOf = async (input) => sliceDocumentRows(input);
