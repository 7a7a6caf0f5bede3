import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumK, recoverableCells, suppressCells, type Cell, type Margin } from './journeys.disclosure.js';

/**
 * A two-way table with totals on every axis: cells r×c, row totals, column totals and the grand total, each
 * total a margin over its cells, and the grand total a margin over the row totals and over the column totals.
 */
function table(values: number[][]): { cells: Cell[]; margins: Margin[] } {
  const cells: Cell[] = [];
  const margins: Margin[] = [];
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  let grand = 0;
  for (let r = 0; r < rows; r++) {
    let rowTotal = 0;
    for (let c = 0; c < cols; c++) {
      const v = values[r]![c]!;
      if (v > 0) cells.push({ id: `c${r}.${c}`, value: v });
      rowTotal += v;
    }
    cells.push({ id: `r${r}`, value: rowTotal });
    margins.push({ total: `r${r}`, children: values[r]!.map((_, c) => `c${r}.${c}`) });
    grand += rowTotal;
  }
  for (let c = 0; c < cols; c++) {
    const colTotal = values.reduce((sum, row) => sum + row[c]!, 0);
    cells.push({ id: `k${c}`, value: colTotal });
    margins.push({ total: `k${c}`, children: values.map((_, r) => `c${r}.${c}`) });
  }
  cells.push({ id: 'g', value: grand });
  margins.push({ total: 'g', children: values.map((_, r) => `r${r}`) });
  margins.push({ total: 'g', children: Array.from({ length: cols }, (_, c) => `k${c}`) });
  return { cells, margins };
}

/** Checks the three promises of disclosure control on one answer. */
function assertProtected(cells: Cell[], margins: Margin[], hidden: Set<string>, k: number): void {
  const value = new Map(cells.map((cell) => [cell.id, cell.value]));
  // 1. No published cell describes fewer than k people.
  for (const cell of cells) if (!hidden.has(cell.id)) expect(cell.value).toBeGreaterThanOrEqual(k);
  // 2. Trying every subtraction of published cells from every published total recovers nothing.
  expect([...recoverableCells(cells, margins, hidden).keys()]).toEqual([]);
  // 3. Under a published total, the hidden remainder is 0 or describes at least k people.
  for (const margin of margins) {
    if (!value.has(margin.total) || hidden.has(margin.total)) continue;
    const children = [...new Set(margin.children)].filter((id) => (value.get(id) ?? 0) > 0);
    const remainder = children.filter((id) => hidden.has(id)).reduce((sum, id) => sum + value.get(id)!, 0);
    expect(remainder === 0 || remainder >= k, `remainder ${remainder} under ${margin.total}`).toBe(true);
    const hiddenChildren = children.filter((id) => hidden.has(id));
    expect(hiddenChildren.length).not.toBe(1);
  }
}

describe('journeys: disclosure control', () => {
  it('hides a small cell and the next smallest beside it, so the total cannot give it away', () => {
    const cells = [
      { id: 'total', value: 55 },
      { id: 'a', value: 5 },
      { id: 'b', value: 20 },
      { id: 'c', value: 30 },
    ];
    const hidden = suppressCells(cells, [{ total: 'total', children: ['a', 'b', 'c'] }], 11);
    expect([...hidden].sort()).toEqual(['a', 'b']);
  });

  it('hides the total when its only other child is hidden, and a total that equals one shown child', () => {
    // total = a + b with a small: no child is left to hide, so the total goes.
    expect(
      [
        ...suppressCells(
          [
            { id: 't', value: 14 },
            { id: 'a', value: 3 },
            { id: 'b', value: 11 },
          ],
          [{ total: 't', children: ['a', 'b'] }],
          11,
        ),
      ].sort(),
    ).toEqual(['a', 'b']);
    expect(
      [
        ...suppressCells(
          [
            { id: 't', value: 3 },
            { id: 'a', value: 3 },
          ],
          [{ total: 't', children: ['a'] }],
          11,
        ),
      ].sort(),
    ).toEqual(['a', 't']);
  });

  it('keeps hiding until the hidden remainder under a total reaches k', () => {
    const cells = [
      { id: 't', value: 60 },
      { id: 'a', value: 2 },
      { id: 'b', value: 3 },
      { id: 'c', value: 12 },
      { id: 'd', value: 43 },
    ];
    // a and b are both small (remainder 5 < k): c joins them (remainder 17).
    expect([...suppressCells(cells, [{ total: 't', children: ['a', 'b', 'c', 'd'] }], 11)].sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('the attacker recovers a small cell hidden by primary suppression alone (the check bites)', () => {
    const { cells, margins } = table([
      [5, 20],
      [30, 40],
    ]);
    const primaryOnly = new Set(cells.filter((cell) => cell.value < 11).map((cell) => cell.id));
    expect(recoverableCells(cells, margins, primaryOnly).get('c0.0')).toBe(5);
    const protectedCells = suppressCells(cells, margins, 11);
    expect([...recoverableCells(cells, margins, protectedCells).keys()]).toEqual([]);
  });

  it('refuses a k below 11', () => {
    expect(() => suppressCells([], [], 10)).toThrow();
    expect(() => suppressCells([], [], minimumK)).not.toThrow();
  });

  it('property: on random tables with totals on every axis, nothing small is shown and nothing hidden is recoverable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((rows) =>
          fc.integer({ min: 1, max: 6 }).chain((cols) =>
            fc.tuple(
              fc.array(
                fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), {
                  minLength: cols,
                  maxLength: cols,
                }),
                {
                  minLength: rows,
                  maxLength: rows,
                },
              ),
              fc.integer({ min: 11, max: 20 }),
            ),
          ),
        ),
        ([values, k]) => {
          const { cells, margins } = table(values);
          const hidden = suppressCells(cells, margins, k);
          assertProtected(cells, margins, hidden, k);
        },
      ),
      { numRuns: 400, seed: 7011 },
    );
  });

  it('property: on random nested hierarchies (country → regions), the same holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (countries) => {
          const cells: Cell[] = [];
          const margins: Margin[] = [];
          let world = 0;
          countries.forEach((regions, i) => {
            const sum = regions.reduce((a, b) => a + b, 0);
            world += sum;
            cells.push({ id: `C${i}`, value: sum });
            regions.forEach((v, j) => v > 0 && cells.push({ id: `R${i}.${j}`, value: v }));
            margins.push({ total: `C${i}`, children: regions.map((_, j) => `R${i}.${j}`) });
          });
          cells.push({ id: 'W', value: world });
          margins.push({ total: 'W', children: countries.map((_, i) => `C${i}`) });
          const hidden = suppressCells(cells, margins, 11);
          assertProtected(cells, margins, hidden, 11);
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });
});
