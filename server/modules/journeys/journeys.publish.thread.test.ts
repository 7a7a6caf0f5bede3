import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { routeArbitrary, yearCells } from '../../test/journeys-slices.js';
import { mapPeriods } from './journeys.publish.js';
import { inThisThread, type SliceInput } from './journeys.publish.slice.js';
import { PublishThread } from './journeys.publish.thread.js';

/** A slice of generated contributions, the same on every run. */
function sliceOf(seed: number, k = 11): SliceInput {
  const [routes] = fc.sample(fc.array(routeArbitrary, { minLength: 200, maxLength: 200 }), {
    seed,
    numRuns: 1,
  });
  const { flows, hotspots } = yearCells(routes!);
  const years = routes!.map((r) => r.year);
  return { flows, hotspots, periods: mapPeriods(Math.min(...years), Math.max(...years)), k };
}

describe('journeys: the publication thread', () => {
  const thread = new PublishThread(pino({ level: 'silent' }));
  afterAll(() => thread.close());

  it('stores exactly the documents this thread stores, byte for byte', async () => {
    for (const seed of [1, 2, 3]) {
      const input = sliceOf(seed);
      const here = await inThisThread(input);
      const there = await thread.documents(input);
      expect(here.length).toBeGreaterThan(10);
      expect(there.map((row) => [row.period, row.area, row.etag])).toEqual(
        here.map((row) => [row.period, row.area, row.etag]),
      );
      there.forEach((row, i) => {
        expect(Buffer.isBuffer(row.body)).toBe(true);
        expect(Buffer.compare(row.body, here[i]!.body)).toBe(0);
      });
    }
  });

  it('refuses a slice it cannot publish, then goes on publishing; once closed, publishes nothing', async () => {
    const broken = { ...sliceOf(4), flows: null } as unknown as SliceInput;
    await expect(thread.documents(broken)).rejects.toThrow();
    const input = sliceOf(5, 13);
    expect((await thread.documents(input)).map((row) => row.etag)).toEqual(
      (await inThisThread(input)).map((row) => row.etag),
    );
    const closing = new PublishThread(pino({ level: 'silent' }));
    await closing.documents(input);
    await closing.close();
    await expect(closing.documents(input)).rejects.toThrow(/closed/);
  });
});
