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
 * "summary":` | summary | `,"countries":[…],…,"languages":[…],"distanceKm":` | distance | `,"updatedAt":"…"}`.
 * The summary follows the reader's language: each of the row's summaries is encoded with its language
 * (`"text","summaryLanguage":"en"`), in the row's order. The distance follows the query's point.
 */
export interface HitParts {
  head: string;
  lists: string;
  tail: string;
  /** Each summary's language, whether it has text, and its part. */
  summaries: Array<{ language: string; text: boolean; json: string }>;
}

/** What a hit shows of its row, besides its lists, that does not depend on the request (an index document). */
export interface HitRow {
  organisationId: string;
  name: string;
  type: string;
  tier: string | null;
  updatedAt: string;
  /** Short descriptions by language. */
  summaries: Record<string, string>;
}

/** A hit's country, service, population and language lists (the index's ShownLists). */
export interface HitLists {
  countries: string[];
  services: string[];
  populations: string[];
  languages: string[];
}

const noSummary = 'null,"summaryLanguage":null';

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
    summaries: Object.entries(doc.summaries).map(([language, text]) => ({
      language,
      text: text !== '',
      json: `${JSON.stringify(text)},"summaryLanguage":${JSON.stringify(language)}`,
    })),
  };
}

/**
 * Every row's hit parts of one shard, encoded into one Buffer (outside the JavaScript heap, so the garbage
 * collector neither copies nor scans it) with each part's place. Row r's parts are `rowStart[r]` (head), the next
 * (lists), the next (tail), then its summaries up to `rowStart[r + 1]`; part p's bytes are [start[p], start[p + 1]).
 */
export class EncodedHits {
  private readonly bytes: Buffer;
  private readonly start: Uint32Array;
  private readonly rowStart: Uint32Array;
  /** A summary part's language (an id of `languages`) times two, plus one when it has text; -1 for other parts. */
  private readonly summaryOf: Int32Array;
  private readonly languages = new Map<string, number>();

  /** From each row's parts, in row order. */
  constructor(rows: readonly HitParts[]) {
    const parts: string[] = [];
    const summaryOf: number[] = [];
    this.rowStart = new Uint32Array(rows.length + 1);
    rows.forEach(({ head, lists, tail, summaries }, row) => {
      parts.push(head, lists, tail);
      summaryOf.push(-1, -1, -1);
      for (const { language, text, json } of summaries) {
        let id = this.languages.get(language);
        if (id === undefined) this.languages.set(language, (id = this.languages.size));
        parts.push(json);
        summaryOf.push(id * 2 + (text ? 1 : 0));
      }
      this.rowStart[row + 1] = parts.length;
    });
    this.summaryOf = Int32Array.from(summaryOf);
    this.start = new Uint32Array(parts.length + 1);
    let size = 0;
    parts.forEach((part, i) => {
      size += Buffer.byteLength(part);
      this.start[i + 1] = size;
    });
    this.bytes = Buffer.allocUnsafeSlow(size);
    parts.forEach((part, i) => this.bytes.write(part, this.start[i]!));
  }

  /** A language's id among these rows' summaries, or -1 when none is in it. */
  languageId(language: string): number {
    return this.languages.get(language) ?? -1;
  }

  /** Copies part `part` (0 head, 1 lists, 2 tail) of a row into `out` at `at`; returns the end. */
  copy(row: number, part: 0 | 1 | 2, out: Buffer, at: number): number {
    const i = this.rowStart[row]! + part;
    return at + this.bytes.copy(out, at, this.start[i], this.start[i + 1]);
  }

  /**
   * The part of the summary a reader sees, given language ids from languageId: the one in their language, else the
   * English one (each only with text), else the row's first; -1 for none (as chooseSummary).
   */
  summaryPart(row: number, reader: number, english: number): number {
    const first = this.rowStart[row]! + 3;
    const end = this.rowStart[row + 1]!;
    if (first === end) return -1;
    const of = this.summaryOf;
    if (reader >= 0) for (let part = first; part < end; part++) if (of[part] === reader * 2 + 1) return part;
    if (english >= 0)
      for (let part = first; part < end; part++) if (of[part] === english * 2 + 1) return part;
    return first;
  }

  /** Copies a part chosen by summaryPart (or writes "no summary" for -1); returns the end. */
  copySummary(part: number, out: Buffer, at: number): number {
    if (part < 0) return at + out.write(noSummary, at, 'latin1');
    return at + this.bytes.copy(out, at, this.start[part], this.start[part + 1]);
  }

  /** Bytes held, for the index's log. */
  get byteLength(): number {
    return this.bytes.length;
  }

  /** Bytes of a row's head, lists and tail, and of the summary part chosen (summaryPart). */
  size(row: number, summary: number): number {
    const first = this.rowStart[row]!;
    const fixed = this.start[first + 3]! - this.start[first]!;
    return fixed + (summary < 0 ? noSummary.length : this.start[summary + 1]! - this.start[summary]!);
  }
}

/** One hit of a page: its parts (a shard's encoded row, or parts made for a row changed since) and its distance. */
export interface PageHit {
  encoded: { hits: EncodedHits; row: number } | HitParts;
  distanceKm: number | null;
}

/**
 * Which of a row's summaries (in the row's order) a reader sees: the one in their language, else the English one
 * (each only with text), else the first; undefined for none. EncodedHits.summaryPart makes the same choice on ids.
 */
export function chooseSummary<T extends { language: string; text: boolean }>(
  summaries: readonly T[],
  language: string,
): T | undefined {
  return (
    summaries.find((s) => s.text && s.language === language) ??
    summaries.find((s) => s.text && s.language === 'en') ??
    summaries[0]
  );
}

/** A distance as JSON's number (the shown distance is rounded to 0.1 km), or null. */
function writeDistance(distance: number | null, out: Buffer, at: number): number {
  return at + out.write(distance === null ? 'null' : JSON.stringify(distance), at, 'latin1');
}

/**
 * The search's answer as bytes: `{"total":…,"page":…,"pageSize":…,"items":[…],"facets":{…}}`, each hit with the
 * summary in the reader's `language` (else English, else its first). The Buffer has an ArrayBuffer of its own
 * (never the shared pool's), so it can be moved to another thread; it may be longer than the answer, which is the
 * view returned.
 */
export function writeAnswer(
  head: { total: number; page: number; pageSize: number },
  hits: readonly PageHit[],
  facets: Uint8Array,
  language: string,
): Buffer {
  const opening = `{"total":${head.total},"page":${head.page},"pageSize":${head.pageSize},"items":[`;
  const closing = '],"facets":';
  // Per hit: its summary's part (a shard row's) or JSON (parts made afresh).
  const summaries: Array<number | string> = [];
  const ids = new Map<EncodedHits, { reader: number; english: number }>();
  // The distance is at most 24 bytes (a double as JSON); UTF-8 takes at most 3 bytes per UTF-16 unit.
  let bound = opening.length + closing.length + facets.length + 2 + hits.length * 25;
  for (const { encoded } of hits) {
    if ('hits' in encoded) {
      let languages = ids.get(encoded.hits);
      if (!languages) {
        languages = { reader: encoded.hits.languageId(language), english: encoded.hits.languageId('en') };
        ids.set(encoded.hits, languages);
      }
      const part = encoded.hits.summaryPart(encoded.row, languages.reader, languages.english);
      summaries.push(part);
      bound += encoded.hits.size(encoded.row, part);
    } else {
      const json = chooseSummary(encoded.summaries, language)?.json ?? noSummary;
      summaries.push(json);
      bound += 3 * (encoded.head.length + encoded.lists.length + encoded.tail.length + json.length);
    }
  }
  const out = Buffer.allocUnsafeSlow(bound);
  let at = out.write(opening, 0, 'latin1');
  hits.forEach(({ encoded, distanceKm }, i) => {
    if (i > 0) out[at++] = 0x2c; // ,
    const summary = summaries[i]!;
    if ('hits' in encoded) {
      at = encoded.hits.copy(encoded.row, 0, out, at);
      at = encoded.hits.copySummary(summary as number, out, at);
      at = encoded.hits.copy(encoded.row, 1, out, at);
      at = writeDistance(distanceKm, out, at);
      at = encoded.hits.copy(encoded.row, 2, out, at);
    } else {
      at += out.write(encoded.head, at);
      at += out.write(summary as string, at);
      at += out.write(encoded.lists, at);
      at = writeDistance(distanceKm, out, at);
      at += out.write(encoded.tail, at);
    }
  });
  at += out.write(closing, at, 'latin1');
  out.set(facets, at);
  at += facets.length;
  out[at++] = 0x7d; // }
  return out.subarray(0, at);
}
