/**
 * The search's 200 answer as UTF-8 bytes, written from parts of each hit that were encoded once, when the index
 * was built (decision 0016). Writing a hit costs a few copies instead of escaping and encoding its strings on every
 * answer, and the answer leaves as one Buffer (no second pass to measure its length, none to encode it).
 *
 * The bytes are exactly those of `JSON.stringify` of the answer's object in the schema's key order
 * (`searchResultSchema`): directory.search.answer.test.ts compares them with zod's serializer.
 */

/**
 * A hit's JSON around the parts that depend on the request: `{"organisationId":…,"name":…,"type":…,"tier":…,
 * "summary":` | summary | `,"summaryLanguage":` | language | `,"countries":[…],…,"languages":[…],"distanceKm":` |
 * distance | `,"updatedAt":"…"}`. The summary follows the reader's language; the distance the query's point.
 */
export interface HitParts {
  head: string;
  lists: string;
  tail: string;
}

/** What a hit shows of its row, besides its lists, that does not depend on the request (an index document). */
export interface HitRow {
  organisationId: string;
  name: string;
  type: string;
  tier: string | null;
  updatedAt: string;
}

/** A hit's country, service, population and language lists (the index's ShownLists). */
export interface HitLists {
  countries: string[];
  services: string[];
  populations: string[];
  languages: string[];
}

export function hitPartsOf(doc: HitRow, lists: HitLists): HitParts {
  return {
    head:
      `{"organisationId":${JSON.stringify(doc.organisationId)},"name":${JSON.stringify(doc.name)},` +
      `"type":${JSON.stringify(doc.type)},"tier":${JSON.stringify(doc.tier ?? null)},"summary":`,
    lists:
      `,"countries":${JSON.stringify(lists.countries)},"services":${JSON.stringify(lists.services)},` +
      `"populations":${JSON.stringify(lists.populations)},"languages":${JSON.stringify(lists.languages)},` +
      `"distanceKm":`,
    tail: `,"updatedAt":${JSON.stringify(doc.updatedAt)}}`,
  };
}

/**
 * Every row's hit parts of one shard, encoded into one Buffer (outside the JavaScript heap, so the garbage
 * collector neither copies nor scans it) with each part's place: row r's parts are [start[3r], start[3r + 1]),
 * [start[3r + 1], start[3r + 2]) and [start[3r + 2], start[3r + 3]).
 */
export class EncodedHits {
  private readonly bytes: Buffer;
  private readonly start: Uint32Array;

  /** From each row's parts, in row order. */
  constructor(rows: readonly HitParts[]) {
    const parts: string[] = [];
    for (const { head, lists, tail } of rows) parts.push(head, lists, tail);
    this.start = new Uint32Array(parts.length + 1);
    let size = 0;
    parts.forEach((part, i) => {
      size += Buffer.byteLength(part);
      this.start[i + 1] = size;
    });
    this.bytes = Buffer.allocUnsafeSlow(size);
    parts.forEach((part, i) => this.bytes.write(part, this.start[i]!));
  }

  /** Copies part `part` (0 head, 1 lists, 2 tail) of a row into `out` at `at`; returns the end. */
  copy(row: number, part: 0 | 1 | 2, out: Buffer, at: number): number {
    const i = row * 3 + part;
    return at + this.bytes.copy(out, at, this.start[i], this.start[i + 1]);
  }

  /** Bytes held, for the index's log. */
  get byteLength(): number {
    return this.bytes.length;
  }

  /** Bytes of a row's three parts together. */
  size(row: number): number {
    return this.start[row * 3 + 3]! - this.start[row * 3]!;
  }
}

/** One hit of a page: its parts (a shard's encoded row, or parts made for a row changed since) and its values. */
export interface PageHit {
  encoded: { hits: EncodedHits; row: number } | HitParts;
  summary: { text: string; language: string } | null;
  distanceKm: number | null;
}

/**
 * The search's answer as bytes: `{"total":…,"page":…,"pageSize":…,"items":[…],"facets":{…}}`. The Buffer has an
 * ArrayBuffer of its own (never the shared pool's), so it can be moved to another thread; it may be longer than
 * the answer, which is the view returned.
 */
export function writeAnswer(
  head: { total: number; page: number; pageSize: number },
  hits: readonly PageHit[],
  facets: string,
): Buffer {
  const opening = `{"total":${head.total},"page":${head.page},"pageSize":${head.pageSize},"items":[`;
  const closing = `],"facets":${facets}}`;
  // What depends on the request, per hit: its summary with its language, and its distance.
  const middles = hits.map((hit) =>
    hit.summary
      ? `${JSON.stringify(hit.summary.text)},"summaryLanguage":${JSON.stringify(hit.summary.language)}`
      : 'null,"summaryLanguage":null',
  );
  const distances = hits.map((hit) => (hit.distanceKm === null ? 'null' : JSON.stringify(hit.distanceKm)));
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a bound, so no string is measured before it is written.
  let bound = 3 * (opening.length + closing.length) + hits.length;
  hits.forEach(({ encoded }, i) => {
    bound +=
      ('hits' in encoded
        ? encoded.hits.size(encoded.row)
        : 3 * (encoded.head.length + encoded.lists.length + encoded.tail.length)) +
      3 * middles[i]!.length +
      distances[i]!.length;
  });
  const out = Buffer.allocUnsafeSlow(bound);
  let at = out.write(opening, 0);
  hits.forEach(({ encoded }, i) => {
    if (i > 0) out[at++] = 0x2c; // ,
    at = 'hits' in encoded ? encoded.hits.copy(encoded.row, 0, out, at) : at + out.write(encoded.head, at);
    at += out.write(middles[i]!, at);
    at = 'hits' in encoded ? encoded.hits.copy(encoded.row, 1, out, at) : at + out.write(encoded.lists, at);
    at += out.write(distances[i]!, at);
    at = 'hits' in encoded ? encoded.hits.copy(encoded.row, 2, out, at) : at + out.write(encoded.tail, at);
  });
  at += out.write(closing, at);
  return out.subarray(0, at);
}
