import { blindIndexWith } from '../../kernel/crypto/keystore.js';
import type { FieldIssue } from '../../kernel/http/errors.js';
import { nameBands, nameBloomFilter, selectorBlindIndex, type MatchingKey } from './matching.blind.js';
import type { ParticipationType } from './matching.schemas.js';
import {
  canonicalSelectors,
  lookupAllowed,
  type CanonicalSelector,
  type CanonicalSelectors,
  type SelectorInput,
} from './matching.selectors.js';

/**
 * SECURITY: turns what a user typed into what may leave this process — blind indexes and keyed name filters —
 * and reports bad input by position and code only (never the value). The canonical selectors are returned for
 * sealing and go nowhere else.
 */

/** The participation type a selector belongs to (persons, fuzzy or exact, are one choice). */
export function participationOf(type: string): ParticipationType {
  return type.startsWith('person_') ? 'person' : (type as ParticipationType);
}

/** A selector ready for the tables and the screening. */
export interface EncodedSelector {
  selector: CanonicalSelector;
  /** Under the active key (written), then under older usable keys (searched too during a rotation). */
  indexes: string[];
}

/** A name's fuzzy encoding in one block, per key version (active first). */
export interface EncodedName {
  encodings: { version: number; block: string; filter: string; ones: number; bands: number[] }[];
  /** The active blind index of the person selector it came with (its sealed canonical re-encodes it on rotation). */
  selectorIndex: string;
}

export interface Encoded {
  selectors: EncodedSelector[];
  names: EncodedName[];
  /** The participation types present, for the opt-out check and the lookup record. */
  types: ParticipationType[];
}

/** The blind index of a name block (the birth year or nationality a name is compared within). */
export function nameBlockIndex(key: MatchingKey, block: string): string {
  return blindIndexWith(
    key.key,
    key.version,
    'matching',
    null,
    JSON.stringify(['cairn.matching.block', block]),
  );
}

/** A base64url filter as PostgreSQL's bit-string literal, and how many bits it sets. */
export function bitString(filter: string): { bits: string; ones: number } {
  let bits = '';
  let ones = 0;
  for (const byte of Buffer.from(filter, 'base64url')) {
    // Bit i of the filter is (byte >> (i & 7)) & 1 — written least significant first, the order nameBloomFilter sets.
    for (let b = 0; b < 8; b++) {
      const bit = (byte >> b) & 1;
      ones += bit;
      bits += bit ? '1' : '0';
    }
  }
  return { bits, ones };
}

/**
 * Normalises and encodes selectors. Bad ones come back as field issues at `<path>.<i>` with
 * `matching.<code>`; a set that breaks the lookup rule (two attributes or one strong selector) as one issue at
 * `path` unless `allowWeak`.
 */
export function encodeSelectors(
  inputs: readonly SelectorInput[],
  keys: readonly MatchingKey[],
  path: string,
  options: { allowWeak?: boolean } = {},
): { ok: true; value: Encoded } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const canonical: CanonicalSelectors[] = [];
  inputs.forEach((input, i) => {
    const result = canonicalSelectors(input);
    if (result.ok) canonical.push(result.value);
    else issues.push({ path: `${path}.${i}`, code: `matching.${result.code}` });
  });
  if (issues.length > 0) return { ok: false, issues };
  if (!options.allowWeak && canonical.length > 0 && !lookupAllowed(canonical).allowed)
    return { ok: false, issues: [{ path, code: 'matching.needs_two_attributes_or_strong_selector' }] };

  const seen = new Set<string>();
  const selectors: EncodedSelector[] = [];
  const names: EncodedName[] = [];
  const types = new Set<ParticipationType>();
  for (const set of canonical) {
    // The active index of each of the set's selectors, for its names' link below (computed once).
    const activeIndex = new Map<CanonicalSelector, string>();
    for (const selector of set.selectors) {
      types.add(participationOf(selector.type));
      const indexes = keys.map((key) => selectorBlindIndex(key, selector));
      activeIndex.set(selector, indexes[0]!);
      if (seen.has(indexes[0]!)) continue;
      seen.add(indexes[0]!);
      selectors.push({ selector, indexes });
    }
    if (set.name) {
      // One block per qualifier the name came with: its birth year and/or its nationality.
      // The plain (not phonetic) compound of each block carries the name for rotation.
      for (const selector of set.selectors.filter((s) => !s.canonical.startsWith('~'))) {
        const block = selector.canonical.slice(selector.canonical.lastIndexOf('|') + 1);
        names.push({
          encodings: keys.map((key) => {
            const { bits, ones } = bitString(nameBloomFilter(key, set.name!));
            const blockIndex = nameBlockIndex(key, block);
            return {
              version: key.version,
              block: blockIndex,
              filter: bits,
              ones,
              bands: nameBands(blockIndex, bits),
            };
          }),
          selectorIndex: activeIndex.get(selector)!,
        });
      }
    }
  }
  return { ok: true, value: { selectors, names, types: [...types] } };
}
