/**
 * A search's facet counts written as UTF-8 JSON straight from the index's counters: `{"service":[{"value":"shelter",
 * "count":12},…],…}`, the facets in the layout's order, each facet's values by count (descending), then value
 * (in UTF-16 code-unit order, JavaScript's `<`). Each tag's `{"value":…,"count":` is encoded once; an answer copies those bytes and writes
 * the counts' digits, so counting a result's facets makes no string and no object per value.
 */

/** Which facets an answer holds, in order: each one's name (its key in the JSON) and its tags' prefix. */
export interface FacetLayout {
  names: readonly string[];
  prefixes: readonly string[];
}

/**
 * A value's sort key packs its facet's slot, its count inverted and its value's rank, so that one numeric sort of
 * every counted value orders them for writing. Exact in a double: at most 2^4 slots × 2^24 counts × 2^21 ranks.
 */
const slotLimit = 2 ** 4;
const countSpan = 2 ** 24;
const rankSpan = 2 ** 21;

const comma = 0x2c;

function writeDigits(out: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

function copyBytes(from: Uint8Array, start: number, end: number, out: Buffer, at: number): number {
  for (let i = start; i < end; i++) out[at++] = from[i]!;
  return at;
}

/** Writes facet counts for one layout over a growing list of tags (an index's tags are append-only). */
export class FacetWriter {
  /** Each facet's `"name":[` (with a comma before every facet but the first). */
  private readonly openings: Buffer[];
  private readonly openingBytes: number;
  /** Tags known so far, and for each: its facet's slot (-1 for none), its value's rank, its encoded prefix. */
  private known = 0;
  private slotOf = new Int8Array(0);
  private rankOf = new Int32Array(0);
  private rankedTag = new Int32Array(0);
  private prefixStart = new Uint32Array(1);
  private prefixBytes: Buffer = Buffer.alloc(0);
  /** Sort keys of one answer (scratch, reused). */
  private keys = new Float64Array(0);

  constructor(private readonly layout: FacetLayout) {
    if (layout.names.length !== layout.prefixes.length || layout.names.length > slotLimit)
      throw new Error('a facet layout has a name and a prefix per facet, at most 16 facets');
    this.openings = layout.names.map((name, slot) =>
      Buffer.from(`${slot === 0 ? '' : ','}${JSON.stringify(name)}:[`),
    );
    this.openingBytes = this.openings.reduce((sum, opening) => sum + opening.length + 1, 2);
  }

  /** Brings the per-tag tables up to date when tags were added since (each tag's prefix and value, by id). */
  private prepare(prefixes: readonly string[], values: readonly string[]): void {
    const size = values.length;
    if (size === this.known) return;
    const slots = new Map(this.layout.prefixes.map((prefix, slot) => [prefix, slot]));
    this.slotOf = Int8Array.from(prefixes, (prefix) => slots.get(prefix) ?? -1);
    const ids = Array.from(values.keys()).sort((a, b) =>
      values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b,
    );
    if (ids.length >= rankSpan) throw new Error('too many tags to rank facet values');
    this.rankedTag = Int32Array.from(ids);
    this.rankOf = new Int32Array(size);
    ids.forEach((id, rank) => (this.rankOf[id] = rank));
    const encoded = values.map((value) => Buffer.from(`{"value":${JSON.stringify(value)},"count":`));
    this.prefixStart = new Uint32Array(size + 1);
    encoded.forEach((bytes, id) => (this.prefixStart[id + 1] = this.prefixStart[id]! + bytes.length));
    this.prefixBytes = Buffer.concat(encoded);
    this.keys = new Float64Array(size);
    this.known = size;
  }

  /**
   * The facet counts as JSON bytes, from `counts` (by tag id) of the `touched` tags (the first `touchedCount`
   * ids, each once): every touched counter is set back to zero. The Buffer may be a slice of Node's shared pool.
   */
  write(
    prefixes: readonly string[],
    values: readonly string[],
    counts: Uint32Array,
    touched: Int32Array,
    touchedCount: number,
  ): Buffer {
    this.prepare(prefixes, values);
    const { keys, slotOf, rankOf, prefixStart } = this;
    let n = 0;
    let bytes = this.openingBytes;
    for (let i = 0; i < touchedCount; i++) {
      const id = touched[i]!;
      const count = counts[id]!;
      counts[id] = 0;
      const slot = slotOf[id]!;
      if (slot < 0) continue;
      if (count >= countSpan) throw new Error('a facet count too large to sort');
      keys[n++] = (slot * countSpan + (countSpan - count)) * rankSpan + rankOf[id]!;
      // The value's prefix, up to 8 digits, its closing brace and a comma.
      bytes += prefixStart[id + 1]! - prefixStart[id]! + 10;
    }
    const sorted = keys.subarray(0, n).sort();
    const out = Buffer.allocUnsafe(bytes);
    out[0] = 0x7b; // {
    let at = 1;
    let k = 0;
    for (let slot = 0; slot < this.openings.length; slot++) {
      const opening = this.openings[slot]!;
      at = copyBytes(opening, 0, opening.length, out, at);
      for (let first = true; k < n; k++, first = false) {
        const key = sorted[k]!;
        const rank = key % rankSpan;
        const rest = (key - rank) / rankSpan;
        const inverted = rest % countSpan;
        if ((rest - inverted) / countSpan !== slot) break;
        if (!first) out[at++] = comma;
        const id = this.rankedTag[rank]!;
        at = copyBytes(this.prefixBytes, prefixStart[id]!, prefixStart[id + 1]!, out, at);
        at = writeDigits(out, at, countSpan - inverted);
        out[at++] = 0x7d; // }
      }
      out[at++] = 0x5d; // ]
    }
    out[at++] = 0x7d; // }
    return out.subarray(0, at);
  }
}
