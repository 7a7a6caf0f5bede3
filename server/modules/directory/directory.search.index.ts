import type { Logger } from 'pino';
import type { Listener } from '../../kernel/db/client.js';
import { fold } from './directory.gazetteer.js';
import { EncodedHits, hitPartsOf, type HitLists, type PageHit } from './directory.search.answer.js';
import { FacetWriter, type FacetLayout } from './directory.search.facets.js';

/**
 * The directory's search rows, held in memory by every process and searched there (decision 7): one indexed
 * query per request cannot rank text and count facets over 100,000 organisations fast enough. PostgreSQL stays
 * the record (directory_search_entries); a trigger announces after each commit which organisation's rows
 * changed (`pg_notify('directory_search', id)`), and this index reloads those rows before its next answer.
 */

export type Audience = 'public' | 'members';

/** One search row as the index holds it. */
export interface IndexedDoc {
  organisationId: string;
  audience: Audience;
  active: boolean;
  tier: string | null;
  type: string;
  name: string;
  namesFolded: string;
  /** The document's lexemes (stemmed and unstemmed forms), from PostgreSQL's tsvector. */
  tokens: string[];
  tags: string[];
  countries: string[];
  regions: string[];
  summaries: Record<string, string>;
  latitude: number | null;
  longitude: number | null;
  updatedAt: string;
  /** The tags as ids of the index's tag list (for counting facets without strings). */
  tagIds: Int32Array;
  /** Position in name order (collated), so sorting by name compares numbers. */
  order: number;
}

/** A row's lists as a search hit shows them. */
export type ShownLists = HitLists;

/** What a query asks of the index: required tags, tiers, text. */
export interface IndexQuery {
  tags: string[];
  tiers: string[];
  text: string | null;
}

/** A matching row and its relevance. */
export interface IndexHit {
  doc: IndexedDoc;
  score: number;
  /** The row in its shard, or -1 for a row changed since the shard was built. */
  row: number;
}

/** A query's words as marked on a shard's trigrams, with scratch counters for gramSimilarity. */
interface GramQuery {
  sizes: Float64Array;
  marked: number[];
  shared: Int32Array;
  best: Float64Array;
  /** Per word, its trigrams' bits as in the rows' signatures (two numbers), and how many of its trigrams
   * the shard has beyond one per bit (so shared bits + this bounds the trigrams a row can share with it). */
  signatures: Uint32Array;
  collisions: Int32Array;
}

/** At most this many distinct words of a query are matched (one bit each); the rest are ignored. */
const maxQueryWords = 32;

/** The distinct words a query's text is matched by. */
export function queryWords(text: string): string[] {
  return [...new Set(wordsOf(text))].slice(0, maxQueryWords);
}

/** What a query leaves out of a shard: the organisations whose rows changed since it was built. */
export interface Exclusion {
  readonly size: number;
  keys(): Iterable<string>;
}

const wordPattern = /[\p{L}\p{N}\p{M}]+/gu;

/** Folded words of a text. */
export function wordsOf(text: string): string[] {
  return fold(text).match(wordPattern) ?? [];
}

/** Trigrams of every word, padded as pg_trgm pads them ("  w", " wo", …, "d "). */
export function trigramsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of wordsOf(text)) {
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 2 < chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  }
  return out;
}

/** A name matches when its words are this similar to the query's words (pg_trgm's word-similarity threshold). */
const nameMatchThreshold = 0.6;
/** Rows sharing fewer of the query's trigrams than this are not worth comparing word by word. */
const nameCandidateShare = 0.3;
const nameCandidateLimit = 5_000;
/** With at most this many rows left by the filters, text is checked row by row instead of through postings. */
const directCheckLimit = 3_000;
/**
 * Checked row by row, a query's words are found in the rows by walking their postings when those hold at most
 * this many ids per row checked: reading ids in order costs much less than a binary search's scattered reads.
 */
const postingsPerLookup = 64;

/**
 * How closely a name matches a query, 0 to 1: for each query word, the best Jaccard similarity of its trigrams
 * with any word of the names, averaged over the query's words. A typo or two in a long word stays above the
 * threshold; a different word sharing a prefix does not.
 */
export function nameSimilarity(query: Array<Set<string>>, namesFolded: string): number {
  if (query.length === 0) return 0;
  const names = wordsOf(namesFolded).map((word) => trigramsOf(word));
  let total = 0;
  for (const q of query) {
    let best = 0;
    for (const n of names) {
      let shared = 0;
      for (const t of q) if (n.has(t)) shared++;
      const jaccard = shared / (q.size + n.size - shared);
      if (jaccard > best) best = jaccard;
    }
    total += best;
  }
  return total / query.length;
}
/** A query word matches a longer or shorter document word sharing this many letters (plurals, inflections). */
const minStemLength = 4;
const maxStemGap = 3;

function tokenRelated(query: string, token: string): 'exact' | 'near' | null {
  if (query === token) return 'exact';
  if (query.length < minStemLength || token.length < minStemLength) return null;
  const [short, long] = query.length < token.length ? [query, token] : [token, query];
  return long.length - short.length <= maxStemGap && long.startsWith(short) ? 'near' : null;
}

const nameCollator = new Intl.Collator('und', { sensitivity: 'base' });

function lowerBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lists of numbers as one array, with each list's start (list i is flat[start[i] .. start[i + 1]]). */
function flatten(lists: ArrayLike<number>[]): [Int32Array, Int32Array] {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => {
    start[i + 1] = start[i]! + list.length;
  });
  const flat = new Int32Array(start[lists.length]!);
  lists.forEach((list, i) => flat.set(list, start[i]));
  return [start, flat];
}

/**
 * Sorted ids in both lists. A short list against a long one gallops: from where the last id was found, steps
 * of 1, 2, 4 … find the range of the next, then a binary search inside it (a few steps per id, not the whole
 * long list).
 */
export function intersect(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  if (b.length > 4 * a.length) {
    let n = 0;
    let lo = 0;
    for (let i = 0; i < a.length && lo < b.length; i++) {
      const value = a[i]!;
      let step = 1;
      let hi = lo;
      while (hi < b.length && b[hi]! < value) {
        lo = hi + 1;
        hi += step;
        step *= 2;
      }
      if (hi > b.length) hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid]! < value) lo = mid + 1;
        else hi = mid;
      }
      if (lo < b.length && b[lo] === value) out[n++] = value;
    }
    return out.subarray(0, n);
  }
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

/** Set bits of a 32-bit number. */
function bitCount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Tags and words held by at least this share of a shard's rows (and this many) get a bitmap besides their list. */
const bitmapShare = 32;
const bitmapFloor = 256;

/** A bit per row, set for the rows of a sorted list. */
export function bitsOf(rows: ArrayLike<number>, size: number): Uint32Array {
  const bits = new Uint32Array((size + 31) >>> 5);
  for (let i = 0; i < rows.length; i++) bits[rows[i]! >>> 5]! |= 1 << (rows[i]! & 31);
  return bits;
}

/** A function that returns, for each string, the first equal string it was given (one copy of each kept). */
function interner(): (value: string) => string {
  const kept = new Map<string, string>();
  return (value) => {
    const known = kept.get(value);
    if (known !== undefined) return known;
    kept.set(value, value);
    return value;
  };
}

/** Whether a row's bit is set. */
function hasBit(bits: Uint32Array, row: number): boolean {
  return (bits[row >>> 5]! & (1 << (row & 31))) !== 0;
}

/** The ids of a sorted list whose bit is set (still sorted). */
export function keepSet(rows: Int32Array, bits: Uint32Array): Int32Array {
  const out = new Int32Array(rows.length);
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (hasBit(bits, row)) out[n++] = row;
  }
  return out.subarray(0, n);
}

/** Where a shard switches between ways of answering (the defaults suit a server; tests force each way). */
export interface ShardTuning {
  /** Rows left by filters up to which text is checked row by row (else through postings). */
  directLimit?: number;
  /** Row by row, words are found by walking their postings up to this many ids per row (else looked up). */
  walkLimit?: number;
  /** Tags and words held by at least this many rows get a bitmap. */
  bitmapFrom?: number;
}

/** An immutable, fully indexed set of rows of one audience. */
export class Shard {
  private readonly tagIds = new Map<string, number>();
  private readonly tagPostings: Int32Array[] = [];
  /**
   * For tags held by many rows (a big country, a common service): a bit per row, so a shorter list is
   * narrowed by one lookup per id instead of a walk or a gallop through the long list.
   */
  private readonly tagBits: Array<Uint32Array | undefined> = [];
  /** Name trigrams by id, their postings, and each row's name as trigram ids, word by word (-1 between words). */
  private readonly gramIds = new Map<string, number>();
  private readonly gramPostings: Int32Array[] = [];
  private readonly gramStart: Int32Array;
  private readonly gramFlat: Int32Array;
  /** Document words (sorted), their postings, and each row's words as sorted ids. */
  private readonly dictionary: string[];
  private readonly tokenPostings: Int32Array[];
  /** For words many rows hold: a bit per row, so checking a row is one read instead of a binary search. */
  private readonly tokenBits: Array<Uint32Array | undefined>;
  private readonly tokenStart: Int32Array;
  private readonly tokenFlat: Int32Array;
  /** Scratch counters, reused by every query (queries run one at a time on the event loop). */
  private readonly counts: Float32Array;
  private readonly nameHits: Uint16Array;
  private readonly wordsFound: Uint8Array;
  /**
   * markHeld's marks: its stamp (a multiple of 64, one per walk) plus how many of the words a row held, and the
   * sums of those words' matches (read only under the current stamp, so neither is ever cleared).
   */
  private readonly heldMarks: Uint32Array;
  private readonly heldSums: Float32Array;
  private heldStamp = 0;
  private readonly wordScore: Float32Array;
  private readonly mask: Uint8Array;
  /** Per query: which of the query's words (bits) hold each name trigram; zero between queries. */
  private readonly gramWords: Uint32Array;
  /**
   * Per row, 64 bits (two numbers): bit `gram % 64` set for each trigram of its names. A row whose bits share
   * too few with a query word's cannot reach the name threshold, so its trigrams are never read.
   */
  private readonly gramSignatures: Uint32Array;
  /** Per row, read on every candidate without touching its object: active (1/0), tier (0 = none, else index + 1). */
  private readonly activeRows: Uint8Array;
  private readonly tierRows: Uint8Array;
  private readonly tierNames: string[] = [];
  /** Row of each organisation (for leaving out the rows changed since the shard was built). */
  private readonly rowOf = new Map<string, number>();
  private readonly excludedRows: Uint8Array;
  private excludedFor: Exclusion | null = null;
  private excludedSize = -1;
  readonly docs: IndexedDoc[];
  /** Every row's tag ids, back to back (row r's are tagFlat[tagStart[r] .. tagStart[r + 1]]): counted in one sweep. */
  readonly tagStart: Int32Array;
  readonly tagFlat: Int32Array;

  private readonly directLimit: number;
  private readonly walkLimit: number;

  constructor(rows: IndexedDoc[], tuning: ShardTuning = {}) {
    this.directLimit = tuning.directLimit ?? directCheckLimit;
    this.walkLimit = tuning.walkLimit ?? postingsPerLookup;
    // Rows are numbered in name order: postings lists, and so results before ranking, come sorted by name.
    const docs = [...rows].sort((a, b) => nameCollator.compare(a.name, b.name));
    this.docs = docs;
    // Rows arrive with their own copies of every string: the same tag in 100,000 rows is kept once.
    const intern = interner();
    const bitsFrom = tuning.bitmapFrom ?? Math.max(bitmapFloor, docs.length / bitmapShare);
    const tagLists: number[][] = [];
    const gramLists: number[][] = [];
    // Per-row lists are flattened into one array each (rows' spans by offset): one allocation, read in order.
    const docGrams: number[][] = [];
    const tokenLists = new Map<string, number[]>();
    docs.forEach((doc, id) => {
      doc.tags = doc.tags.map(intern);
      doc.countries = doc.countries.map(intern);
      doc.regions = doc.regions.map(intern);
      doc.type = intern(doc.type);
      for (const tag of doc.tags) {
        let tagId = this.tagIds.get(tag);
        if (tagId === undefined) {
          tagId = tagLists.length;
          this.tagIds.set(tag, tagId);
          tagLists.push([]);
        }
        tagLists[tagId]!.push(id);
      }
      const grams: number[] = [];
      const seen = new Set<number>();
      for (const word of wordsOf(doc.namesFolded)) {
        if (grams.length) grams.push(-1);
        for (const gram of trigramsOf(word)) {
          let gramId = this.gramIds.get(gram);
          if (gramId === undefined) {
            gramId = gramLists.length;
            this.gramIds.set(gram, gramId);
            gramLists.push([]);
          }
          grams.push(gramId);
          if (!seen.has(gramId)) {
            seen.add(gramId);
            gramLists[gramId]!.push(id);
          }
        }
      }
      docGrams.push(grams);
      for (const token of new Set([...doc.tokens, ...wordsOf(doc.namesFolded)])) {
        const list = tokenLists.get(token);
        if (list) list.push(id);
        else tokenLists.set(token, [id]);
      }
    });
    for (const list of tagLists) {
      this.tagPostings.push(Int32Array.from(list));
      this.tagBits.push(list.length >= bitsFrom ? bitsOf(list, docs.length) : undefined);
    }
    for (const list of gramLists) this.gramPostings.push(Int32Array.from(list));
    this.dictionary = [...tokenLists.keys()].sort();
    const tokenIds = new Map(this.dictionary.map((token, index) => [token, index]));
    this.tokenPostings = this.dictionary.map((token) => Int32Array.from(tokenLists.get(token)!));
    this.tokenBits = this.tokenPostings.map((list) =>
      list.length >= bitsFrom ? bitsOf(list, docs.length) : undefined,
    );
    tokenLists.clear();
    const docTokens: Int32Array[] = [];
    for (const doc of docs) {
      const ids = new Set<number>();
      for (const token of doc.tokens) ids.add(tokenIds.get(token)!);
      for (const word of wordsOf(doc.namesFolded)) ids.add(tokenIds.get(word)!);
      docTokens.push(Int32Array.from(ids).sort());
      // The words now live in the dictionary; the row keeps only their ids.
      doc.tokens = [];
    }
    [this.gramStart, this.gramFlat] = flatten(docGrams);
    [this.tokenStart, this.tokenFlat] = flatten(docTokens);
    this.tagStart = new Int32Array(docs.length + 1);
    docs.forEach((doc, row) => {
      this.tagStart[row + 1] = this.tagStart[row]! + doc.tagIds.length;
    });
    this.tagFlat = new Int32Array(this.tagStart[docs.length]!);
    docs.forEach((doc, row) => {
      this.tagFlat.set(doc.tagIds, this.tagStart[row]);
      doc.tagIds = this.tagFlat.subarray(this.tagStart[row], this.tagStart[row + 1]);
    });
    this.activeRows = new Uint8Array(docs.length);
    this.tierRows = new Uint8Array(docs.length);
    this.excludedRows = new Uint8Array(docs.length);
    docs.forEach((doc, row) => {
      doc.order = row;
      this.rowOf.set(doc.organisationId, row);
      this.activeRows[row] = doc.active ? 1 : 0;
      if (doc.tier !== null) {
        let tier = this.tierNames.indexOf(doc.tier);
        if (tier < 0) tier = this.tierNames.push(doc.tier) - 1;
        this.tierRows[row] = tier + 1;
      }
    });
    this.gramWords = new Uint32Array(this.gramPostings.length);
    this.gramSignatures = new Uint32Array(docs.length * 2);
    for (let row = 0; row < docs.length; row++) {
      for (let i = this.gramStart[row]!; i < this.gramStart[row + 1]!; i++) {
        const gram = this.gramFlat[i]!;
        if (gram >= 0) this.gramSignatures[row * 2 + ((gram >>> 5) & 1)]! |= 1 << (gram & 31);
      }
    }
    this.counts = new Float32Array(docs.length);
    this.nameHits = new Uint16Array(docs.length);
    this.wordsFound = new Uint8Array(docs.length);
    this.heldMarks = new Uint32Array(docs.length);
    this.heldSums = new Float32Array(docs.length);
    this.wordScore = new Float32Array(docs.length);
    this.mask = new Uint8Array(docs.length);
  }

  /** Where a name not in this shard falls in its name order (between two positions). */
  orderOf(name: string): number {
    let lo = 0;
    let hi = this.docs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nameCollator.compare(this.docs[mid]!.name, name) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 0.5;
  }

  /**
   * Marks the query's words on their trigrams (bit w of gramWords[gram] for word w) and returns each word's
   * trigram count (trigrams no row has are counted but cannot match). Call releaseGrams after the query.
   */
  private markGrams(words: string[]): GramQuery {
    const sizes = new Float64Array(words.length);
    const marked: number[] = [];
    const signatures = new Uint32Array(words.length * 2);
    const collisions = new Int32Array(words.length);
    words.forEach((word, w) => {
      const grams = trigramsOf(word);
      sizes[w] = grams.size;
      let known = 0;
      for (const gram of grams) {
        const id = this.gramIds.get(gram);
        if (id === undefined) continue;
        known++;
        signatures[w * 2 + ((id >>> 5) & 1)]! |= 1 << (id & 31);
        if (this.gramWords[id] === 0) marked.push(id);
        this.gramWords[id]! |= 1 << w;
      }
      collisions[w] = known - bitCount(signatures[w * 2]!) - bitCount(signatures[w * 2 + 1]!);
    });
    return {
      sizes,
      marked,
      shared: new Int32Array(words.length),
      best: new Float64Array(words.length),
      signatures,
      collisions,
    };
  }

  /**
   * Whether a row's names may reach the name threshold, from its signature alone: a word shares at most
   * (bits in common + collisions) trigrams with the row, so its Jaccard is at most that over its size.
   */
  private mayMatchName(query: GramQuery, row: number): boolean {
    const { sizes, signatures, collisions } = query;
    const low = this.gramSignatures[row * 2]!;
    const high = this.gramSignatures[row * 2 + 1]!;
    const n = sizes.length;
    let bound = 0;
    for (let w = 0; w < n; w++) {
      const shared =
        bitCount(low & signatures[w * 2]!) + bitCount(high & signatures[w * 2 + 1]!) + collisions[w]!;
      bound += Math.min(1, shared / sizes[w]!);
    }
    return bound / n >= nameMatchThreshold;
  }

  private releaseGrams(query: GramQuery): void {
    for (const id of query.marked) this.gramWords[id] = 0;
  }

  /**
   * nameSimilarity on trigram ids, in one pass over the row's trigrams: per query word, the best Jaccard with a
   * word of the row's names, averaged over the query's words.
   */
  private gramSimilarity(query: GramQuery, row: number): number {
    const grams = this.gramFlat;
    const from = this.gramStart[row]!;
    const to = this.gramStart[row + 1]!;
    const { sizes, shared, best } = query;
    const n = sizes.length;
    if (n === 0) return 0;
    const gramWords = this.gramWords;
    best.fill(0);
    let size = 0;
    let touched = 0;
    for (let i = from; i <= to; i++) {
      const gram = i < to ? grams[i]! : -1;
      if (gram === -1) {
        if (touched !== 0) {
          for (let w = 0; w < n; w++) {
            const s = shared[w]!;
            if (s === 0) continue;
            const jaccard = s / (sizes[w]! + size - s);
            if (jaccard > best[w]!) best[w] = jaccard;
            shared[w] = 0;
          }
        }
        size = 0;
        touched = 0;
      } else {
        size++;
        let bits = gramWords[gram]!;
        touched |= bits;
        while (bits !== 0) {
          const low = bits & -bits;
          shared[31 - Math.clz32(low)]!++;
          bits ^= low;
        }
      }
    }
    let total = 0;
    for (let w = 0; w < n; w++) total += best[w]!;
    return total / n;
  }

  /** Whether a row's sorted token ids (its span of tokenFlat) hold a token. */
  private holds(row: number, value: number): boolean {
    const sorted = this.tokenFlat;
    let lo = this.tokenStart[row]!;
    const end = this.tokenStart[row + 1]!;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && sorted[lo] === value;
  }

  /** Row ids having every tag, or null for "no tag asked" (every row). */
  private withTags(tags: string[]): Int32Array | null {
    if (tags.length === 0) return null;
    const ids: number[] = [];
    for (const tag of tags) {
      const id = this.tagIds.get(tag);
      if (id === undefined) return new Int32Array(0);
      ids.push(id);
    }
    ids.sort((a, b) => this.tagPostings[a]!.length - this.tagPostings[b]!.length);
    let acc = this.tagPostings[ids[0]!]!;
    for (let i = 1; i < ids.length && acc.length > 0; i++) {
      const bits = this.tagBits[ids[i]!];
      acc = bits ? keepSet(acc, bits) : intersect(acc, this.tagPostings[ids[i]!]!);
    }
    return acc;
  }

  /** Dictionary entries a query word matches, with how closely. */
  private relatedTokens(word: string): Array<{ id: number; exact: boolean }> {
    const out: Array<{ id: number; exact: boolean }> = [];
    const stem =
      word.length > minStemLength ? word.slice(0, Math.max(minStemLength, word.length - maxStemGap)) : word;
    for (let i = lowerBound(this.dictionary, stem); i < this.dictionary.length; i++) {
      const token = this.dictionary[i]!;
      if (!token.startsWith(stem)) break;
      const related = tokenRelated(word, token);
      if (related) out.push({ id: i, exact: related === 'exact' });
    }
    return out;
  }

  /**
   * Marks in heldMarks and heldSums the rows holding every word (the mark returned), with the sum of their best
   * matches (1 the word itself, 0.6 an inflection); `related` lists each word's tokens, exact ones first. Only
   * rows that held every earlier word go on, and each word counts once per row.
   */
  private markHeld(related: Array<Array<{ id: number; exact: boolean }>>): number {
    // Marks carry this walk's stamp above the word count, so nothing has to be cleared afterwards.
    this.heldStamp += 64;
    if (this.heldStamp >= 0xffffffc0) {
      this.heldStamp = 64;
      this.heldMarks.fill(0);
    }
    const stamp = this.heldStamp;
    const found = this.heldMarks;
    const best = this.heldSums;
    related.forEach((candidates, w) => {
      for (const { id, exact } of candidates) {
        const rows = this.tokenPostings[id]!;
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          if (w === 0) {
            if (found[row] === stamp + 1) continue;
            found[row] = stamp + 1;
            best[row] = exact ? 1 : 0.6;
          } else {
            if (found[row] !== stamp + w) continue;
            found[row] = stamp + w + 1;
            best[row] = best[row]! + (exact ? 1 : 0.6);
          }
        }
      }
    });
    return stamp + related.length;
  }

  /** markHeld for one row, by looking its tokens up: the sum of the words' best matches, or 0 if one is missing. */
  private heldScore(row: number, related: Array<Array<{ id: number; exact: boolean }>>): number {
    let sum = 0;
    for (const candidates of related) {
      let best = 0;
      for (const { id: token, exact } of candidates) {
        const bits = this.tokenBits[token];
        if (bits ? hasBit(bits, row) : this.holds(row, token)) {
          best = Math.max(best, exact ? 1 : 0.6);
          if (best === 1) break;
        }
      }
      if (best === 0) return 0;
      sum += best;
    }
    return sum;
  }

  /**
   * Text relevance of rows into `this.counts` (0 = no match): 2 × the name similarity when it reaches the
   * threshold, plus the share of query words the row's document holds (every word must be there). With
   * `only`, just those rows are considered (the rows the filters left): they are checked one by one, which is
   * cheaper than walking long postings lists when they are few.
   */
  private scoreText(text: string, only: Int32Array | null): number[] {
    const folded = fold(text).trim();
    const words = queryWords(text);
    const shortQuery = [...folded].length < 3;
    const touched: number[] = [];
    const grams = this.markGrams(words);
    try {
      if (only && only.length <= this.directLimit) {
        // Exact tokens first, so a row holding the word itself scores 1, not an inflection's 0.6.
        const related = words.map((word) =>
          this.relatedTokens(word).sort((a, b) => Number(b.exact) - Number(a.exact)),
        );
        // Which rows hold the words: their postings walked once (in order, cheap) when that is shorter than
        // looking each row up (a binary search per row and word, each step a likely cache miss).
        let postings = 0;
        for (const candidates of related)
          for (const { id } of candidates) postings += this.tokenPostings[id]!.length;
        const walked = words.length > 0 && postings <= only.length * this.walkLimit;
        const everyWord = walked ? this.markHeld(related) : 0;
        for (const id of only) {
          let score = 0;
          if (shortQuery) {
            if (wordsOf(this.docs[id]!.namesFolded).some((w) => w.startsWith(folded))) score += 1;
          } else if (this.mayMatchName(grams, id)) {
            const similarity = this.gramSimilarity(grams, id);
            if (similarity >= nameMatchThreshold) score += 2 * similarity;
          }
          if (words.length > 0) {
            if (walked) {
              if (this.heldMarks[id] === everyWord) score += this.heldSums[id]! / words.length;
            } else {
              score += this.heldScore(id, related) / words.length;
            }
          }
          if (score > 0) {
            this.counts[id] = score;
            touched.push(id);
          }
        }
        return touched;
      }
      return this.scoreByPostings(text, folded, words, shortQuery, grams, only, touched);
    } finally {
      this.releaseGrams(grams);
    }
  }

  /** scoreText through the postings lists: for no filters, or filters leaving many rows. */
  private scoreByPostings(
    text: string,
    folded: string,
    words: string[],
    shortQuery: boolean,
    grams: GramQuery,
    only: Int32Array | null,
    touched: number[],
  ): number[] {
    // Name trigrams first (typed counters, no allocation per row) ...
    const trigrams = trigramsOf(text);
    const nameHits = this.nameHits;
    const hitIds: number[] = [];
    // With filters, rows they left out are skipped at once (no counting, no sorting of them).
    const mask = this.mask;
    if (only) for (const id of only) mask[id] = 1;
    const wanted = (id: number) => !only || mask[id] === 1;
    for (const trigram of trigrams) {
      const gramId = this.gramIds.get(trigram);
      if (gramId === undefined) continue;
      for (const id of this.gramPostings[gramId]!) if (wanted(id) && nameHits[id]!++ === 0) hitIds.push(id);
    }
    const candidates: number[] = [];
    for (const id of hitIds) {
      if (shortQuery || nameHits[id]! / trigrams.size >= nameCandidateShare) candidates.push(id);
    }
    if (!shortQuery) {
      candidates.sort((a, b) => nameHits[b]! - nameHits[a]!);
      candidates.length = Math.min(candidates.length, nameCandidateLimit);
    }
    for (const id of candidates) {
      const doc = this.docs[id]!;
      const score = shortQuery
        ? wordsOf(doc.namesFolded).some((w) => w.startsWith(folded))
          ? 1
          : 0
        : ((similarity) => (similarity >= nameMatchThreshold ? 2 * similarity : 0))(
            this.gramSimilarity(grams, id),
          );
      if (score > 0) {
        this.counts[id] = score;
        touched.push(id);
      }
    }
    for (const id of hitIds) nameHits[id] = 0;
    // ... then the document's words: a row must hold every query word (as the full text did: words are ANDed).
    if (words.length > 0) {
      const found = this.wordsFound;
      const best = this.wordScore;
      const rows: number[] = [];
      for (const [w, word] of words.entries()) {
        // Exact tokens first, so a row holding the word itself scores 1, not an inflection's 0.6.
        const related = this.relatedTokens(word).sort((a, b) => Number(b.exact) - Number(a.exact));
        for (const { id, exact } of related) {
          for (const row of this.tokenPostings[id]!) {
            // Only rows that held every earlier word go on, and each word counts once per row.
            if (found[row] !== w || !wanted(row)) continue;
            found[row] = w + 1;
            best[row] = best[row]! + (exact ? 1 : 0.6);
            if (w === 0) rows.push(row);
          }
        }
      }
      for (const row of rows) {
        if (found[row] === words.length) {
          if (this.counts[row] === 0) touched.push(row);
          this.counts[row] = this.counts[row]! + best[row]! / words.length;
        }
        found[row] = 0;
        best[row] = 0;
      }
    }
    if (only) for (const id of only) mask[id] = 0;
    return touched;
  }

  /**
   * Marks the rows of the excluded organisations. The index's overlay only gains organisations while a shard
   * lives (it is emptied when new shards replace this one), so the marks are redone only when its size changes.
   */
  private exclude(exclusion: Exclusion): boolean {
    if (exclusion.size === 0) return false;
    if (this.excludedFor === exclusion && this.excludedSize === exclusion.size) return true;
    this.excludedRows.fill(0);
    for (const organisationId of exclusion.keys()) {
      const row = this.rowOf.get(organisationId);
      if (row !== undefined) this.excludedRows[row] = 1;
    }
    this.excludedFor = exclusion;
    this.excludedSize = exclusion.size;
    return true;
  }

  /** A test of a row against the query's tiers and the exclusion, on the typed per-row arrays. */
  private keeper(q: IndexQuery, exclusion: Exclusion): (row: number) => boolean {
    const excluding = this.exclude(exclusion);
    const tiers = q.tiers.length
      ? Uint8Array.from([0, ...this.tierNames.map((tier) => (q.tiers.includes(tier) ? 1 : 0))])
      : null;
    const active = this.activeRows;
    const tierOf = this.tierRows;
    const excluded = this.excludedRows;
    if (!tiers && !excluding) return (row) => active[row] === 1;
    return (row) =>
      active[row] === 1 && (!tiers || tiers[tierOf[row]!] === 1) && (!excluding || excluded[row] === 0);
  }

  /** Rows matching the query, minus those of the excluded organisations. */
  query(q: IndexQuery, exclusion: Exclusion): IndexHit[] {
    const tagged = this.withTags(q.tags);
    const keep = this.keeper(q, exclusion);
    const hits: IndexHit[] = [];
    if (q.text) {
      const scored = this.scoreText(q.text, tagged);
      // scoreText returns only rows the filters left (it is given them).
      for (const id of scored) {
        const score = this.counts[id]!;
        this.counts[id] = 0;
        if (keep(id)) hits.push({ doc: this.docs[id]!, score, row: id });
      }
      return hits;
    }
    if (tagged) {
      for (const id of tagged) if (keep(id)) hits.push({ doc: this.docs[id]!, score: 0, row: id });
    } else {
      for (let row = 0; row < this.docs.length; row++)
        if (keep(row)) hits.push({ doc: this.docs[row]!, score: 0, row });
    }
    return hits;
  }

  /**
   * Adds to `counts` (by tag id) the tags of every row matching a query without text, without listing the rows:
   * the map's counts.
   */
  countTags(q: IndexQuery, exclusion: Exclusion, counts: Uint32Array): number {
    const tagged = this.withTags(q.tags);
    const keep = this.keeper(q, exclusion);
    const { tagStart, tagFlat } = this;
    let total = 0;
    const add = (row: number) => {
      total++;
      const end = tagStart[row + 1]!;
      for (let j = tagStart[row]!; j < end; j++) counts[tagFlat[j]!]!++;
    };
    if (tagged) {
      for (let i = 0; i < tagged.length; i++) if (keep(tagged[i]!)) add(tagged[i]!);
    } else {
      for (let row = 0; row < this.docs.length; row++) if (keep(row)) add(row);
    }
    return total;
  }
}

/** The same rules as Shard.query, row by row, for the few rows changed since the shard was built. */
export function matchOne(doc: IndexedDoc, q: IndexQuery): IndexHit | null {
  if (!doc.active || q.tags.some((tag) => !doc.tags.includes(tag))) return null;
  if (q.tiers.length && (doc.tier === null || !q.tiers.includes(doc.tier))) return null;
  if (!q.text) return { doc, score: 0, row: -1 };
  let score = 0;
  const words = queryWords(q.text);
  const prefix = fold(q.text).trim();
  if ([...prefix].length < 3) {
    if (wordsOf(doc.namesFolded).some((w) => w.startsWith(prefix))) score += 1;
  } else {
    const similarity = nameSimilarity(
      words.map((word) => trigramsOf(word)),
      doc.namesFolded,
    );
    if (similarity >= nameMatchThreshold) score += 2 * similarity;
  }
  const tokens = [...doc.tokens, ...wordsOf(doc.namesFolded)];
  let text = 0;
  for (const word of words) {
    let best = 0;
    for (const token of tokens) {
      const related = tokenRelated(word, token);
      if (related === 'exact') best = 1;
      else if (related && best < 0.6) best = 0.6;
    }
    if (best === 0) {
      text = 0;
      break;
    }
    text += best;
  }
  if (words.length) score += text / words.length;
  return score > 0 ? { doc, score, row: -1 } : null;
}

/** A row of `directory_search_entries` as the index reads it (directory.search.rows.ts reads them). */
export interface SearchRow {
  organisation_id: string;
  audience: Audience;
  active: boolean;
  tier: string | null;
  type: string;
  name: string;
  names_folded: string;
  tokens: string[];
  tags: string[];
  countries: string[];
  regions: string[];
  summaries: Record<string, string>;
  latitude: number | null;
  longitude: number | null;
  updated_at: string | Date;
}

/**
 * Where the index reads its rows and learns that some changed: the database in this thread
 * (directory.search.rows.ts), or the main thread's database through messages in the search thread
 * (directory.search.worker.ts). The index itself touches no database, so it can live in either.
 */
export interface SearchRowSource {
  /** Every row, a batch at a time in key order, all from one snapshot. */
  readAll(batchRows: number, onBatch: (rows: SearchRow[]) => void): Promise<void>;
  /** The current rows of these organisations (any of their audiences; none for one no longer listed). */
  readSome(organisationIds: string[]): Promise<SearchRow[]>;
  /** Hears which organisation's rows changed after each commit; `onLost` when some may have been missed. */
  listen(onChange: (organisationId: string) => void, onLost: () => void): Promise<Listener>;
}

function docOf(row: SearchRow): IndexedDoc {
  return {
    organisationId: row.organisation_id,
    audience: row.audience,
    active: row.active,
    tier: row.tier,
    type: row.type,
    name: row.name,
    namesFolded: row.names_folded,
    tokens: row.tokens,
    tags: row.tags,
    countries: row.countries,
    regions: row.regions,
    summaries: row.summaries,
    latitude: row.latitude === null ? null : Number(row.latitude),
    longitude: row.longitude === null ? null : Number(row.longitude),
    updatedAt: new Date(row.updated_at).toISOString(),
    tagIds: new Int32Array(0),
    order: 0,
  };
}

/** Which of a hit's lists a tag prefix fills. */
const shownBy = new Map<string, keyof ShownLists>([
  ['country', 'countries'],
  ['service', 'services'],
  ['population', 'populations'],
  ['language', 'languages'],
]);

/** Rows read per round trip when the index loads. */
const defaultLoadBatchRows = 5_000;

/** Rows changed since the shards were built: more than this and the shards are rebuilt. */
const overlayLimit = 2_000;

/** The in-memory directory index of one thread (one per open database: directory.search.engine.ts). */
export class DirectorySearchIndex {
  private shards: Record<Audience, Shard> | null = null;
  /** Each shard's rows as parts of a search answer, encoded once (built with the shards). */
  private encodedHits: Record<Audience, EncodedHits> | null = null;
  /** Organisations whose rows changed after the shards were built: their current rows (possibly none). */
  private overlay = new Map<string, IndexedDoc[]>();
  /** Organisations announced as changed and not loaded yet. */
  private pending = new Set<string>();
  private listener: Listener | null = null;
  private loading: Promise<void> | null = null;
  private rebuilding = false;
  /** Bumped whenever what the index answers may have changed (for caches built on its answers). */
  generation = 0;
  /** Every tag seen, by id (append-only while the process lives). */
  private readonly tagIds = new Map<string, number>();
  private readonly tagNames: string[] = [];
  /** Each tag split once at its first colon: `service:shelter` → `service`, `shelter` (facet counts). */
  private readonly tagPrefixes: string[] = [];
  private readonly tagValues: string[] = [];
  /** Writes facet counts for each layout asked (one in practice: directory.search.page.ts). */
  private readonly facetWriters = new Map<FacetLayout, FacetWriter>();

  private withTagIds(doc: IndexedDoc): IndexedDoc {
    doc.tagIds = Int32Array.from(doc.tags, (tag) => {
      let id = this.tagIds.get(tag);
      if (id === undefined) {
        id = this.tagNames.length;
        this.tagIds.set(tag, id);
        this.tagNames.push(tag);
        const colon = tag.indexOf(':');
        this.tagPrefixes.push(colon < 0 ? tag : tag.slice(0, colon));
        this.tagValues.push(colon < 0 ? '' : tag.slice(colon + 1));
      }
      return id;
    });
    return doc;
  }

  /** How many of these hits carry each tag (only tags with a count). */
  countTags(audience: Audience, hits: IndexHit[]): Array<[string, number]> {
    const counted = this.countTagIds(audience, hits);
    const counts = this.scratchCounts;
    // In tag id order, as tagCounts lists them.
    const touched = this.scratchTouched.subarray(0, counted).sort();
    const out: Array<[string, number]> = [];
    for (const id of touched) {
      out.push([this.tagNames[id]!, counts[id]!]);
      counts[id] = 0;
    }
    return out;
  }

  /** The facet counts of these hits as UTF-8 JSON (directory.search.facets.ts), the facets in the layout's order. */
  facetsBytes(audience: Audience, hits: IndexHit[], layout: FacetLayout): Buffer {
    let writer = this.facetWriters.get(layout);
    if (!writer) this.facetWriters.set(layout, (writer = new FacetWriter(layout)));
    const touched = this.countTagIds(audience, hits);
    return writer.write(this.tagPrefixes, this.tagValues, this.scratchCounts, this.scratchTouched, touched);
  }

  /**
   * A row's countries, services, populations and languages, from its tag ids: the index's own strings (split
   * once per tag), so showing a hit makes no new string and keeps nothing.
   */
  shownLists(doc: IndexedDoc): ShownLists {
    const lists: ShownLists = { countries: [], services: [], populations: [], languages: [] };
    const ids = doc.tagIds;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const list = shownBy.get(this.tagPrefixes[id]!);
      if (list) lists[list].push(this.tagValues[id]!);
    }
    return lists;
  }

  /**
   * A hit's answer parts: its shard row's, encoded when the shard was built, or made now for a row changed since
   * (or from a shard that has just been replaced, which the row's document tells).
   */
  encodedHit(audience: Audience, hit: IndexHit): PageHit['encoded'] {
    const hits = this.encodedHits?.[audience];
    if (hits && this.shardHolding(audience, hit)) return { hits, row: hit.row };
    return hitPartsOf(hit.doc, this.shownLists(hit.doc));
  }

  /**
   * The audience's current shard if the hit is one of its rows, else null: a row changed since the shard was
   * built, or a hit counted on shards a rebuild has replaced since the query (their documents are new objects).
   */
  private shardHolding(audience: Audience, hit: IndexHit): Shard | null {
    const shard = this.shards?.[audience];
    return shard && hit.row >= 0 && shard.docs[hit.row] === hit.doc ? shard : null;
  }

  /**
   * Counters by tag id, all zero, and the ids counted, reused by every count (which runs without awaiting): its
   * reader sets the counted ids' counters back to zero.
   */
  private scratchCounts = new Uint32Array(0);
  private scratchTouched = new Int32Array(0);

  /** Counts the hits' tags into scratchCounts; returns how many tags were counted (their ids in scratchTouched). */
  private countTagIds(audience: Audience, hits: IndexHit[]): number {
    if (this.scratchCounts.length < this.tagNames.length) {
      const size = Math.ceil(this.tagNames.length * 1.25);
      this.scratchCounts = new Uint32Array(size);
      this.scratchTouched = new Int32Array(size);
    }
    const counts = this.scratchCounts;
    const touched = this.scratchTouched;
    let n = 0;
    // A hit's row is read from the shard's tag arrays only if that shard is the one the hits came from (the hits
    // of one query all come from one shard, so one hit tells).
    const first = hits.find((hit) => hit.row >= 0);
    const shard = first ? this.shardHolding(audience, first) : null;
    // Indexed loops over the shard's contiguous tag array: this runs over every tag of up to every row.
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i]!;
      if (hit.row >= 0 && shard) {
        const end = shard.tagStart[hit.row + 1]!;
        for (let j = shard.tagStart[hit.row]!; j < end; j++) {
          const tag = shard.tagFlat[j]!;
          if (counts[tag]!++ === 0) touched[n++] = tag;
        }
      } else {
        const ids = hit.doc.tagIds;
        for (let j = 0; j < ids.length; j++) if (counts[ids[j]!]!++ === 0) touched[n++] = ids[j]!;
      }
    }
    return n;
  }

  private tagCounts(counts: Uint32Array): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (let id = 0; id < this.tagNames.length; id++)
      if (counts[id]! > 0) out.push([this.tagNames[id]!, counts[id]!]);
    return out;
  }

  /**
   * How many rows of an audience match the query, and how many of them carry each tag, without listing them
   * (the map's counts). A query with text is listed first (its relevance decides what matches).
   */
  async countMatching(
    audience: Audience,
    q: IndexQuery,
  ): Promise<{ total: number; tags: Array<[string, number]> }> {
    if (q.text) {
      const hits = await this.query(audience, q);
      return { total: hits.length, tags: this.countTags(audience, hits) };
    }
    await this.ready();
    const counts = new Uint32Array(this.tagNames.length);
    let total = this.shards![audience].countTags(q, this.overlay, counts);
    for (const docs of this.overlay.values()) {
      for (const doc of docs) {
        if (doc.audience !== audience || !matchOne(doc, q)) continue;
        total++;
        for (const id of doc.tagIds) counts[id]!++;
      }
    }
    return { total, tags: this.tagCounts(counts) };
  }

  constructor(
    private readonly source: SearchRowSource,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    /** Rows read per round trip while loading (tests make it small to load through many batches). */
    private readonly loadBatchRows = defaultLoadBatchRows,
  ) {}

  /** Marks organisations as changed (also done by the database's notifications). */
  invalidate(organisationIds: Iterable<string>): void {
    for (const id of organisationIds) this.pending.add(id);
    this.generation++;
  }

  /** True once the rows have been loaded. */
  get loaded(): boolean {
    return this.shards !== null;
  }

  /** Waits for every change committed so far to be in the index (tests, and after a write in this process). */
  async sync(): Promise<void> {
    await this.ready();
    await this.listener?.sync();
    await this.applyPending();
  }

  /** Loads the index on first use, then the changes announced since. */
  async ready(): Promise<void> {
    if (!this.shards) {
      this.loading ??= this.loadAll().finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
    await this.applyPending();
  }

  private async listen(): Promise<void> {
    if (this.listener) return;
    this.listener = await this.source.listen(
      (payload) => {
        this.pending.add(payload);
        this.generation++;
      },
      () => {
        // Notifications may have been missed: start again from the table.
        this.listener = null;
        this.shards = null;
        this.generation++;
        this.log.warn('directory search index lost its notifications; it will reload');
      },
    );
  }

  private async loadAll(): Promise<void> {
    // Listen first, so a change committed while the rows load is announced and applied after.
    await this.listen();
    this.pending.clear();
    const started = Date.now();
    const byAudience: Record<Audience, IndexedDoc[]> = { public: [], members: [] };
    // A batch at a time (directory.search.rows.ts): the rows of a batch are garbage once their documents are
    // made, and each distinct lexeme is kept once however many rows hold it.
    const lexeme = interner();
    let loaded = 0;
    await this.source.readAll(this.loadBatchRows, (rows) => {
      for (const row of rows) {
        row.tokens = row.tokens.map(lexeme);
        byAudience[row.audience]?.push(this.withTagIds(docOf(row)));
      }
      loaded += rows.length;
    });
    const shards = { public: new Shard(byAudience.public), members: new Shard(byAudience.members) };
    const encode = (shard: Shard) =>
      new EncodedHits(shard.docs.map((doc) => hitPartsOf(doc, this.shownLists(doc))));
    this.encodedHits = { public: encode(shards.public), members: encode(shards.members) };
    this.shards = shards;
    this.overlay.clear();
    this.generation++;
    this.log.info(
      {
        rows: loaded,
        ms: Date.now() - started,
        encodedHitBytes: this.encodedHits.public.byteLength + this.encodedHits.members.byteLength,
      },
      'directory search index loaded',
    );
  }

  private async applyPending(): Promise<void> {
    while (this.pending.size > 0) {
      const ids = [...this.pending].slice(0, 500);
      for (const id of ids) this.pending.delete(id);
      const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
      const rows = valid.length ? await this.source.readSome(valid) : [];
      for (const id of valid) this.overlay.set(id, []);
      for (const row of rows) {
        const doc = this.withTagIds(docOf(row));
        doc.order = this.shards?.[doc.audience]?.orderOf(doc.name) ?? 0;
        this.overlay.get(row.organisation_id)!.push(doc);
      }
      this.generation++;
    }
    if (this.overlay.size > overlayLimit && !this.rebuilding) {
      this.rebuilding = true;
      // Rebuilt in the background; answers keep coming from the current shards and overlay meanwhile.
      this.loadAll()
        .catch((error: unknown) => this.log.error({ err: error }, 'directory search index rebuild failed'))
        .finally(() => {
          this.rebuilding = false;
        });
    }
  }

  /** Every row of an audience matching the query (unsorted), with its relevance. */
  async query(audience: Audience, q: IndexQuery): Promise<IndexHit[]> {
    await this.ready();
    const shard = this.shards![audience];
    const hits = shard.query(q, this.overlay);
    for (const docs of this.overlay.values()) {
      for (const doc of docs) {
        if (doc.audience !== audience) continue;
        const hit = matchOne(doc, q);
        if (hit) hits.push(hit);
      }
    }
    return hits;
  }

  /** Stops listening (before the database closes). */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.unlisten();
  }
}
