import { createHash } from 'node:crypto';
import { blindIndexWith } from '../../kernel/crypto/keystore.js';
import type { NormalisedName } from './matching.normalise.js';
import type { CanonicalSelector } from './matching.selectors.js';

/**
 * SECURITY: the only forms in which a selector leaves this process — keyed, one-way encodings under the
 * platform's matching key (the kernel keyring's `matching` blind-index series, kept apart from every encryption
 * key). Both encodings reuse the kernel's HMAC-SHA-256 blind index (keystore.blindIndexWith), so a selector index
 * computed here equals `kernel.keys.blindIndex(tx, { purpose: 'matching' }, matchingIndexInput(selector))` and key
 * rotation re-indexes it like any other matching index.
 */

/** One version of the matching key, as the keyring hands it out. */
export interface MatchingKey {
  version: number;
  key: Buffer;
}

/**
 * The text the keyring indexes for a selector: domain-separated by selector type (a phone and a document number
 * with the same digits never share an index), as a JSON array so no value can forge another type's input.
 */
export function matchingIndexInput(selector: CanonicalSelector): string {
  return JSON.stringify(['cairn.matching.selector', selector.type, selector.canonical]);
}

/** The exact-match blind index of a selector: `b<version>.<64 hex>`. */
export function selectorBlindIndex(key: MatchingKey, selector: CanonicalSelector): string {
  return blindIndexWith(key.key, key.version, 'matching', null, matchingIndexInput(selector));
}

// ---------------------------------------------------------------------------------------------------------------
// Keyed Bloom-filter encodings of names (cryptographic long-term keys, CLK; Schnell, Bachteler & Reiher 2011)

/**
 * Parameters of the name encoding. 1024 bits; each element sets `hashes` bits. A typical name (3 words, ~20
 * letters) has ~25 bigrams and 3 phonetic codes: ~28 × 10 = 280 bit settings, about a quarter of the array set.
 * The threshold is the Dice coefficient from the experiment in matching.blind.test.ts (docs/matching.md).
 */
export const bloomParameters = { bits: 1024, hashes: 10, threshold: 0.74 } as const;

const bytesPerFilter = bloomParameters.bits / 8;

/**
 * The elements a name contributes: the bigrams of each word padded with `_` on both sides (so word order does not
 * matter and a word's first and last letters weigh like the others), and each word's Double Metaphone code, so
 * spellings that sound the same (Mohammed / Muhammad) share bits. Elements are tagged by field.
 */
export function nameElements(name: NormalisedName): Set<string> {
  const elements = new Set<string>();
  for (const token of name.tokens) {
    const padded = `_${token}_`;
    for (let i = 0; i < padded.length - 1; i++) elements.add(`g:${padded.slice(i, i + 2)}`);
  }
  for (const code of name.phonetic.split(' ')) if (code !== '') elements.add(`p:${code}`);
  return elements;
}

/**
 * The keyed Bloom filter of a name, as base64url of 128 bytes. Each element is indexed once with the matching key
 * (domain `cairn.matching.bloom`); the HMAC's 32 bytes give `hashes` independent 16-bit positions (mod 1024, no
 * bias as 1024 divides 65536) — independent positions, not CLK's double hashing, which leaks bigram frequencies.
 */
export function nameBloomFilter(key: MatchingKey, name: NormalisedName): string {
  const filter = Buffer.alloc(bytesPerFilter);
  for (const element of nameElements(name)) {
    const index = blindIndexWith(
      key.key,
      key.version,
      'matching',
      null,
      JSON.stringify(['cairn.matching.bloom', element]),
    );
    const digest = Buffer.from(index.slice(index.indexOf('.') + 1), 'hex');
    for (let h = 0; h < bloomParameters.hashes; h++) {
      const position = digest.readUInt16BE(h * 2) % bloomParameters.bits;
      filter[position >> 3]! |= 1 << (position & 7);
    }
  }
  return filter.toString('base64url');
}

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b &= b - 1) count++;
  return count;
}

/** Dice coefficient of two filters: 2·|A∩B| / (|A|+|B|), in [0, 1]; 0 for two empty filters. */
export function diceSimilarity(a: string, b: string): number {
  const left = Buffer.from(a, 'base64url');
  const right = Buffer.from(b, 'base64url');
  if (left.length !== bytesPerFilter || right.length !== bytesPerFilter) throw new Error('not a name filter');
  let both = 0;
  let total = 0;
  for (let i = 0; i < bytesPerFilter; i++) {
    both += popcount(left[i]! & right[i]!);
    total += popcount(left[i]!) + popcount(right[i]!);
  }
  return total === 0 ? 0 : (2 * both) / total;
}

/** Whether two name filters are a possible match at the documented threshold. */
export function namesMayMatch(a: string, b: string): boolean {
  return diceSimilarity(a, b) >= bloomParameters.threshold;
}

// ---------------------------------------------------------------------------------------------------------------
// Candidates: locality-sensitive band keys of a filter (one-permutation min-hashing; Li, Owen & Zhang 2012)

/**
 * A name is compared (Dice) only with the names of its block that share at least one band key with it. The
 * filter's positions are keyed HMAC outputs, so their natural order is already a random permutation: each of the
 * 64 bins of 16 bits yields the position of its first set bit (1–16, 0 when empty), and two filters agree on a bin
 * about as often as their sets of bits overlap. Four bins make a band; each of the 16 bands is one 32-bit key,
 * hashed with the block and the band's number. Measured on the generated set (matching.quality.test.ts): 23×
 * fewer comparisons, 97.8% of the pairs at or above the threshold kept (99.7% of those at 0.80 or more).
 * PostgreSQL computes the same keys (migration 0025, `matching_name_bands`) into `matching_names.bands`; this
 * copy serves the tests that prove the two equal and measure the recall.
 */
export const bandParameters = { bins: 64, binBits: 16, binsPerBand: 4 } as const;

/** The band keys of a filter given as PostgreSQL's bit-string text ('0'/'1' × 1024), in band order. */
export function nameBands(block: string, bits: string): number[] {
  const { bins, binBits, binsPerBand } = bandParameters;
  if (bits.length !== bloomParameters.bits) throw new Error('not a name filter');
  const firsts: number[] = [];
  for (let bin = 0; bin < bins; bin++) firsts.push(bits.indexOf('1', bin * binBits) - bin * binBits + 1);
  for (let bin = 0; bin < bins; bin++) if (firsts[bin]! > binBits || firsts[bin]! < 1) firsts[bin] = 0;
  const keys: number[] = [];
  for (let band = 0; band < bins / binsPerBand; band++) {
    const text = `${block}:${band}:${firsts.slice(band * binsPerBand, (band + 1) * binsPerBand).join(',')}`;
    keys.push(createHash('sha256').update(text).digest().readInt32BE(0));
  }
  return keys;
}
