import { createHash } from 'node:crypto';

/**
 * Deterministic pseudo-random numbers for synthetic data.
 *
 * The generator is xoshiro128** (32-bit state words, so it stays in JavaScript's fast int32 arithmetic)
 * seeded through splitmix32, which spreads even tiny, similar seeds (1, 2, 3 …) over the whole state.
 * It is NOT cryptographic: it only has to be fast and give the same data for the same seed on every machine.
 */

/** A seeded source of random values; every method advances the same stream. */
export interface Rng {
  /** The next unsigned 32-bit integer. */
  uint32(): number;
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

const TWO_POW_32 = 0x1_0000_0000;

/** One splitmix32 step: returns the new state and a well-mixed output. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Creates a generator from a 32-bit seed (other numbers are truncated to their low 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let sm = seed | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(sm);
    sm = next;
    words.push(out | 0);
  }
  return fromState(words as [number, number, number, number]);
}

/**
 * A generator for one item among millions (a case of a million-case preset), its whole 128-bit state hashed from
 * the run's seed and the item's label. Streams from 32-bit seeds (createRng(deriveSeed(…))) repeat by the
 * birthday bound: two of about 77,000 items share a seed, and so every id drawn from it.
 */
export function createItemRng(seed: number, label: string): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const digest = createHash('sha256')
    .update(`${seed | 0}\u0000${label}`, 'utf8')
    .digest();
  return fromState([
    digest.readInt32LE(0),
    digest.readInt32LE(4),
    digest.readInt32LE(8),
    digest.readInt32LE(12),
  ]);
}

function fromState(words: [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = words;
  // xoshiro's one forbidden state is all zeros; splitmix32 practically never yields it, but be certain.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result >>> 0;
  };
  const float = (): number => uint32() / TWO_POW_32;

  return {
    uint32,
    float,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`int(min, max) needs integers with min <= max, got ${min}, ${max}`);
      }
      // Scaling a 32-bit float is biased by at most range / 2^32, which synthetic data can live with.
      return min + Math.floor(float() * (max - min + 1));
    },
    chance(probability) {
      return float() < probability;
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
      return items[Math.floor(float() * items.length)] as (typeof items)[number];
    },
  };
}

/**
 * Derives an independent seed for a named stream (a generator, a table) from the run's seed, so adding a
 * generator or drawing more numbers in one never changes the data another one produces.
 */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label's UTF-16 code units, started from the seed, then one splitmix32 round to mix.
  let hash = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return splitmix32(hash)[1];
}
