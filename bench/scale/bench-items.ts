import type { ScaleGenerator } from './generators.js';
import type { Rng } from './prng.js';
import { insertInBatches } from './sql.js';

/**
 * `bench_items`: the table behind the "one indexed query per request" baseline. It belongs to the benchmark,
 * not to Cairn, so it lives beside Cairn's tables without being one of them.
 */

/** The unique key of item number `index` (1-based); the fixture recomputes keys from the row count alone. */
export function benchItemKey(index: number): string {
  return `item-${index.toString(36).padStart(6, '0')}`;
}

// A fixed vocabulary keeps payload generation at one random draw per word instead of one per character.
const words: readonly string[] = (
  'river shelter harbour lantern meadow bridge compass orchard signal harvest village garden ' +
  'station window morning journey market letter canvas pocket ledger thread copper valley ' +
  'candle ribbon anchor meridian tunnel island quarry saddle beacon pillar summit marble ' +
  'feather cobalt willow granite'
).split(' ');

/** A payload of 80 to 160 characters of words, deterministic for the stream it draws from. */
export function benchItemPayload(rng: Rng): string {
  const length = rng.int(80, 160);
  let text = rng.pick(words);
  while (text.length < length) text += ' ' + rng.pick(words);
  return text.slice(0, length);
}

const batchSize = 20_000;

export const benchItemsGenerator: ScaleGenerator = {
  name: 'bench_items',
  description: 'rows for the indexed-query baseline (bench_items)',
  async create(db, preset, rng) {
    // Refuse to run over an existing table: this is a fresh-database tool and must never replace data.
    // The unique index is built after the load, which is several times faster than maintaining it per row.
    await db.exec(
      'create table bench_items (id bigserial primary key, key text not null, payload text not null)',
    );
    await insertInBatches(
      db,
      'bench_items',
      [
        { name: 'key', type: 'text' },
        { name: 'payload', type: 'text' },
      ],
      preset.benchItems,
      batchSize,
      (start, end) => {
        const keys: string[] = [];
        const payloads: string[] = [];
        for (let i = start; i < end; i++) {
          keys.push(benchItemKey(i + 1));
          payloads.push(benchItemPayload(rng));
        }
        return [keys, payloads];
      },
    );
    await db.exec(
      'alter table bench_items add constraint bench_items_key_key unique (key); analyze bench_items',
    );
    return { rows: preset.benchItems };
  },
};
