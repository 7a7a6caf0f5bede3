import { inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Listener } from '../../kernel/db/client.js';
import { queryRows } from '../../kernel/db/types.js';
import { fold } from './directory.gazetteer.js';
import { directorySearchEntries } from './directory.tables.js';

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

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
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

/** An immutable, fully indexed set of rows of one audience. */
export class Shard {
  private readonly tagIds = new Map<string, number>();
  private readonly tagPostings: Int32Array[] = [];
  /** Name trigrams by id, their postings, and each row's name as trigram ids, word by word (-1 between words). */
  private readonly gramIds = new Map<string, number>();
  private readonly gramPostings: Int32Array[] = [];
  private readonly docGrams: Int32Array[] = [];
  /** Document words (sorted), their postings, and each row's words as sorted ids. */
  private readonly dictionary: string[];
  private readonly tokenPostings: Int32Array[];
  private readonly docTokens: Int32Array[] = [];
  /** Scratch counters, reused by every query (queries run one at a time on the event loop). */
  private readonly counts: Float32Array;
  private readonly nameHits: Uint16Array;
  private readonly wordsFound: Uint8Array;
  private readonly wordScore: Float32Array;
  private readonly mask: Uint8Array;
  private readonly sortedNames: string[];
  /** Every row's tag ids, back to back (row r's are tagFlat[tagStart[r] .. tagStart[r + 1]]): counted in one sweep. */
  readonly tagStart: Int32Array;
  readonly tagFlat: Int32Array;

  constructor(
    readonly docs: IndexedDoc[],
    /** Rows left by filters up to which text is checked row by row (else through postings). */
    private readonly directLimit = directCheckLimit,
  ) {
    // Rows arrive with their own copies of every string: the same tag in 100,000 rows is kept once.
    const interned = new Map<string, string>();
    const intern = (value: string) => {
      const known = interned.get(value);
      if (known !== undefined) return known;
      interned.set(value, value);
      return value;
    };
    const tagLists: number[][] = [];
    const gramLists: number[][] = [];
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
      this.docGrams.push(Int32Array.from(grams));
      for (const token of new Set([...doc.tokens, ...wordsOf(doc.namesFolded)])) {
        const list = tokenLists.get(token);
        if (list) list.push(id);
        else tokenLists.set(token, [id]);
      }
    });
    for (const list of tagLists) this.tagPostings.push(Int32Array.from(list));
    for (const list of gramLists) this.gramPostings.push(Int32Array.from(list));
    this.dictionary = [...tokenLists.keys()].sort();
    const tokenIds = new Map(this.dictionary.map((token, index) => [token, index]));
    this.tokenPostings = this.dictionary.map((token) => Int32Array.from(tokenLists.get(token)!));
    tokenLists.clear();
    for (const doc of docs) {
      const ids = new Set<number>();
      for (const token of doc.tokens) ids.add(tokenIds.get(token)!);
      for (const word of wordsOf(doc.namesFolded)) ids.add(tokenIds.get(word)!);
      this.docTokens.push(Int32Array.from(ids).sort());
      // The words now live in the dictionary; the row keeps only their ids.
      doc.tokens = [];
    }
    this.tagStart = new Int32Array(docs.length + 1);
    docs.forEach((doc, row) => {
      this.tagStart[row + 1] = this.tagStart[row]! + doc.tagIds.length;
    });
    this.tagFlat = new Int32Array(this.tagStart[docs.length]!);
    docs.forEach((doc, row) => {
      this.tagFlat.set(doc.tagIds, this.tagStart[row]);
      doc.tagIds = this.tagFlat.subarray(this.tagStart[row], this.tagStart[row + 1]);
    });
    const byName = [...docs.keys()].sort((a, b) => nameCollator.compare(docs[a]!.name, docs[b]!.name));
    byName.forEach((row, position) => {
      docs[row]!.order = position;
    });
    this.sortedNames = byName.map((row) => docs[row]!.name);
    this.counts = new Float32Array(docs.length);
    this.nameHits = new Uint16Array(docs.length);
    this.wordsFound = new Uint8Array(docs.length);
    this.wordScore = new Float32Array(docs.length);
    this.mask = new Uint8Array(docs.length);
  }

  /** Where a name not in this shard falls in its name order (between two positions). */
  orderOf(name: string): number {
    let lo = 0;
    let hi = this.sortedNames.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nameCollator.compare(this.sortedNames[mid]!, name) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 0.5;
  }

  /** The query's words as trigram ids (trigrams no row has are counted but cannot match). */
  private queryGrams(words: string[]): Array<{ ids: number[]; size: number }> {
    return words.map((word) => {
      const grams = trigramsOf(word);
      const ids: number[] = [];
      for (const gram of grams) {
        const id = this.gramIds.get(gram);
        if (id !== undefined) ids.push(id);
      }
      return { ids, size: grams.size };
    });
  }

  /** nameSimilarity on trigram ids: per query word, the best Jaccard with a word of the row's names. */
  private gramSimilarity(query: Array<{ ids: number[]; size: number }>, row: number): number {
    const grams = this.docGrams[row]!;
    let total = 0;
    for (const q of query) {
      let best = 0;
      let shared = 0;
      let size = 0;
      for (let i = 0; i <= grams.length; i++) {
        const gram = i < grams.length ? grams[i]! : -1;
        if (gram === -1) {
          if (size > 0) {
            const jaccard = shared / (q.size + size - shared);
            if (jaccard > best) best = jaccard;
          }
          shared = 0;
          size = 0;
        } else {
          size++;
          if (q.ids.includes(gram)) shared++;
        }
      }
      total += best;
    }
    return query.length ? total / query.length : 0;
  }

  private static holds(sorted: Int32Array, value: number): boolean {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo] === value;
  }

  /** Row ids having every tag, or null for "no tag asked" (every row). */
  private withTags(tags: string[]): Int32Array | null {
    if (tags.length === 0) return null;
    const lists: Int32Array[] = [];
    for (const tag of tags) {
      const id = this.tagIds.get(tag);
      if (id === undefined) return new Int32Array(0);
      lists.push(this.tagPostings[id]!);
    }
    lists.sort((a, b) => a.length - b.length);
    return lists.reduce((acc, list) => intersect(acc, list));
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
   * Text relevance of rows into `this.counts` (0 = no match): 2 × the name similarity when it reaches the
   * threshold, plus the share of query words the row's document holds (every word must be there). With
   * `only`, just those rows are considered (the rows the filters left): they are checked one by one, which is
   * cheaper than walking long postings lists when they are few.
   */
  private scoreText(text: string, only: Int32Array | null): number[] {
    const folded = fold(text).trim();
    const words = [...new Set(wordsOf(text))];
    const shortQuery = [...folded].length < 3;
    const touched: number[] = [];
    if (only && only.length <= this.directLimit) {
      const grams = this.queryGrams(words);
      const related = words.map((word) => this.relatedTokens(word));
      for (const id of only) {
        let score = 0;
        if (shortQuery) {
          if (wordsOf(this.docs[id]!.namesFolded).some((w) => w.startsWith(folded))) score += 1;
        } else {
          const similarity = this.gramSimilarity(grams, id);
          if (similarity >= nameMatchThreshold) score += 2 * similarity;
        }
        if (words.length > 0) {
          const tokens = this.docTokens[id]!;
          let sum = 0;
          for (const candidates of related) {
            let best = 0;
            for (const { id: token, exact } of candidates) {
              if (Shard.holds(tokens, token)) {
                best = Math.max(best, exact ? 1 : 0.6);
                if (best === 1) break;
              }
            }
            if (best === 0) {
              sum = 0;
              break;
            }
            sum += best;
          }
          score += sum / words.length;
        }
        if (score > 0) {
          this.counts[id] = score;
          touched.push(id);
        }
      }
      return touched;
    }
    // Walk the postings: name trigrams first (typed counters, no allocation per row) ...
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
    const grams = this.queryGrams(words);
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

  /** Rows matching the query, minus those of the excluded organisations. */
  query(q: IndexQuery, exclude: { has(organisationId: string): boolean }): IndexHit[] {
    const tagged = this.withTags(q.tags);
    const tiers = q.tiers.length ? new Set(q.tiers) : null;
    const keep = (doc: IndexedDoc) =>
      doc.active &&
      (!tiers || (doc.tier !== null && tiers.has(doc.tier))) &&
      !exclude.has(doc.organisationId);
    const hits: IndexHit[] = [];
    if (q.text) {
      const scored = this.scoreText(q.text, tagged);
      // scoreText returns only rows the filters left (it is given them).
      for (const id of scored) {
        const score = this.counts[id]!;
        this.counts[id] = 0;
        const doc = this.docs[id]!;
        if (keep(doc)) hits.push({ doc, score, row: id });
      }
      return hits;
    }
    if (tagged) {
      for (const id of tagged)
        if (keep(this.docs[id]!)) hits.push({ doc: this.docs[id]!, score: 0, row: id });
    } else {
      this.docs.forEach((doc, row) => {
        if (keep(doc)) hits.push({ doc, score: 0, row });
      });
    }
    return hits;
  }
}

/** The same rules as Shard.query, row by row, for the few rows changed since the shard was built. */
export function matchOne(doc: IndexedDoc, q: IndexQuery): IndexHit | null {
  if (!doc.active || q.tags.some((tag) => !doc.tags.includes(tag))) return null;
  if (q.tiers.length && (doc.tier === null || !q.tiers.includes(doc.tier))) return null;
  if (!q.text) return { doc, score: 0, row: -1 };
  let score = 0;
  const words = [...new Set(wordsOf(q.text))];
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

interface EntryRowFromDb {
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

const rowColumns = sql`organisation_id, audience, active, tier, type, name, names_folded,
  tsvector_to_array(document) as tokens, tags, countries, regions, summaries, latitude, longitude, updated_at`;

function docOf(row: EntryRowFromDb): IndexedDoc {
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

/** Rows changed since the shards were built: more than this and the shards are rebuilt. */
const overlayLimit = 2_000;

/** The in-memory directory index of one process (one per open database). */
export class DirectorySearchIndex {
  private shards: Record<Audience, Shard> | null = null;
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

  private withTagIds(doc: IndexedDoc): IndexedDoc {
    doc.tagIds = Int32Array.from(doc.tags, (tag) => {
      let id = this.tagIds.get(tag);
      if (id === undefined) {
        id = this.tagNames.length;
        this.tagIds.set(tag, id);
        this.tagNames.push(tag);
      }
      return id;
    });
    return doc;
  }

  /** How many of these hits carry each tag (only tags with a count). */
  countTags(audience: Audience, hits: IndexHit[]): Array<[string, number]> {
    const counts = new Uint32Array(this.tagNames.length);
    const shard = this.shards?.[audience];
    // Indexed loops over the shard's contiguous tag array: this runs over every tag of up to every row.
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i]!;
      if (hit.row >= 0 && shard) {
        const end = shard.tagStart[hit.row + 1]!;
        for (let j = shard.tagStart[hit.row]!; j < end; j++) counts[shard.tagFlat[j]!]!++;
      } else {
        const ids = hit.doc.tagIds;
        for (let j = 0; j < ids.length; j++) counts[ids[j]!]!++;
      }
    }
    const out: Array<[string, number]> = [];
    counts.forEach((count, id) => {
      if (count > 0) out.push([this.tagNames[id]!, count]);
    });
    return out;
  }

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
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
    this.listener = await this.database.listen(
      'directory_search',
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
    const rows = await queryRows<EntryRowFromDb>(
      this.database.db,
      sql`select ${rowColumns} from directory_search_entries`,
    );
    const byAudience: Record<Audience, IndexedDoc[]> = { public: [], members: [] };
    for (const row of rows) byAudience[row.audience]?.push(this.withTagIds(docOf(row)));
    this.shards = { public: new Shard(byAudience.public), members: new Shard(byAudience.members) };
    this.overlay.clear();
    this.generation++;
    this.log.info({ rows: rows.length, ms: Date.now() - started }, 'directory search index loaded');
  }

  private async applyPending(): Promise<void> {
    while (this.pending.size > 0) {
      const ids = [...this.pending].slice(0, 500);
      for (const id of ids) this.pending.delete(id);
      const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
      const rows = valid.length
        ? await queryRows<EntryRowFromDb>(
            this.database.db,
            sql`select ${rowColumns} from directory_search_entries
                 where ${inArray(directorySearchEntries.organisationId, valid)}`,
          )
        : [];
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

const indexes = new WeakMap<Database, DirectorySearchIndex>();

/** The search index of this database in this process (created on first use, loaded on first query). */
export function searchIndexOf(database: Database, log: Logger): DirectorySearchIndex {
  let index = indexes.get(database);
  if (!index) {
    index = new DirectorySearchIndex(database, log);
    indexes.set(database, index);
  }
  return index;
}
