/**
 * Disclosure control for the journey map (issue 7; docs/decisions/0011-journeys.md). Pure: the publication
 * (journeys.publish.ts) builds the cells and margins of a slice, this decides which cells may be shown, and the
 * tests call it directly.
 *
 * SECURITY: this is the rule that keeps a survivor from being singled out on a public map.
 *  1. Primary suppression: a cell describing fewer than k people is hidden.
 *  2. Complementary suppression: a margin is an equation "total = sum of its children" (or a bound the answer
 *     lets a reader assume is one). For every margin, the hidden cells among its total and its non-zero children
 *     must never be exactly one (one unknown in one equation is solved by subtraction), and when its total is
 *     shown, the hidden children together must describe 0 or at least k people (else the remainder tells "fewer
 *     than k here"). Where this fails, the next smallest shown child is hidden too — or the total, when no
 *     child is left — and every margin is checked again until none fails.
 * Hidden cells leave the answer entirely (no "<k" marker), so a reader cannot even tell hidden from zero.
 */

/** A number the answer could show, with its id (any string unique within the answer). */
export interface Cell {
  id: string;
  value: number;
}

/** A total and the cells it adds up (or bounds): a subtraction a reader could try. */
export interface Margin {
  total: string;
  children: readonly string[];
}

/** The lowest k the platform accepts (IOM CTDC's threshold): configuration may raise it, never lower it. */
export const minimumK = 11;

/**
 * The ids of the cells to hide so that every shown cell describes at least k people and no hidden cell can be
 * recovered from a shown total by subtracting shown cells. Deterministic: ties break by id.
 */
export function suppressCells(cells: readonly Cell[], margins: readonly Margin[], k: number): Set<string> {
  // Cells by number (an answer has thousands): the last cell of an id counts, as in a map from id to value.
  const indexOf = new Map<string, number>();
  for (const cell of cells) indexOf.set(cell.id, indexOf.size);
  const ids = [...indexOf.keys()];
  const value = new Float64Array(ids.length);
  for (const cell of cells) value[indexOf.get(cell.id)!] = cell.value;
  const numbered = new MarginList();
  for (const margin of margins) {
    const total = indexOf.get(margin.total);
    if (total === undefined) continue;
    for (const id of margin.children) {
      const child = indexOf.get(id);
      if (child !== undefined) numbered.child(child);
    }
    numbered.end(total);
  }
  const hidden = suppressNumbered(value, numbered, k, (a, b) =>
    ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0,
  );
  return new Set(ids.filter((_, i) => hidden[i] === 1));
}

/**
 * Margins over cell numbers, in one flat list (a table of a slice over all its periods has hundreds of
 * thousands of margins and millions of children: one object each would be most of the work, for the garbage
 * collector). Add a margin's children with `child`, then close it with `end(total)`.
 */
export class MarginList {
  readonly totals: number[] = [];
  /** Margin i's children are `children[starts[i]]` up to `children[starts[i + 1]]`. */
  readonly starts: number[] = [0];
  readonly children: number[] = [];

  child(cell: number): void {
    this.children.push(cell);
  }

  end(total: number): void {
    this.totals.push(total);
    this.starts.push(this.children.length);
  }

  get length(): number {
    return this.totals.length;
  }
}

/**
 * `suppressCells` on cell numbers (`value[i]` is cell i's people): 1 in the result marks a hidden cell. For
 * tables of hundreds of thousands of cells (a slice protected over all its periods: journeys.publish.ts), where
 * string ids would be most of the work. Ties between equal values break by `tie` (default: the cell number).
 */
export function suppressNumbered(
  value: Float64Array,
  margins: MarginList,
  k: number,
  tie: (a: number, b: number) => number = (a, b) => a - b,
): Uint8Array {
  if (!Number.isInteger(k) || k < minimumK) throw new Error(`k must be an integer of at least ${minimumK}`);
  const count = value.length;
  const hidden = new Uint8Array(count);
  for (let i = 0; i < count; i++) if (value[i]! < k) hidden[i] = 1;
  // Smallest first, ties by `tie`: the order complementary suppression picks a margin's children in.
  const byRank = new Int32Array(count);
  for (let i = 0; i < count; i++) byRank[i] = i;
  byRank.sort((a, b) => value[a]! - value[b]! || tie(a, b));
  const rank = new Int32Array(count);
  byRank.forEach((cell, position) => (rank[cell] = position));

  // Each margin's non-zero children (not its total, each once), smallest first, in one flat array; the counts
  // of its hidden children and the people they describe are kept up to date as cells are hidden, so a pass
  // over thousands of margins costs one look at each instead of a recount of every child.
  const total: number[] = [];
  const start: number[] = [0];
  const flat: number[] = [];
  const seen = new Int32Array(count).fill(-1);
  for (let m = 0; m < margins.length; m++) {
    const sum = margins.totals[m]!;
    const first = flat.length;
    for (let c = margins.starts[m]!; c < margins.starts[m + 1]!; c++) {
      const child = margins.children[c]!;
      if (child === sum || value[child]! <= 0 || seen[child] === m) continue;
      seen[child] = m;
      flat.push(child);
    }
    if (flat.length === first) continue;
    total.push(sum);
    start.push(flat.length);
  }
  const prepared = total.length;
  const children = Int32Array.from(flat);
  for (let m = 0; m < prepared; m++)
    children.subarray(start[m], start[m + 1]).sort((a, b) => rank[a]! - rank[b]!);
  const hiddenChildren = new Int32Array(prepared);
  const mass = new Float64Array(prepared);
  /** Every child of margin m before `firstShown[m]` is hidden (a hidden cell is never shown again). */
  const firstShown = Int32Array.from(start.slice(0, prepared));

  // The margins each cell is a child of: the margins' numbers, grouped by child in one flat array.
  const parentStart = new Int32Array(count + 1);
  for (const child of children) parentStart[child + 1]! += 1;
  for (let i = 0; i < count; i++) parentStart[i + 1]! += parentStart[i]!;
  const parents = new Int32Array(children.length);
  const filled = parentStart.slice(0, count);
  for (let m = 0; m < prepared; m++) {
    for (let c = start[m]!; c < start[m + 1]!; c++) {
      const child = children[c]!;
      parents[filled[child]!++] = m;
      if (hidden[child]) {
        hiddenChildren[m]! += 1;
        mass[m]! += value[child]!;
      }
    }
  }
  const hide = (cell: number) => {
    hidden[cell] = 1;
    for (let p = parentStart[cell]!; p < parentStart[cell + 1]!; p++) {
      hiddenChildren[parents[p]!]! += 1;
      mass[parents[p]!]! += value[cell]!;
    }
  };

  // Every pass checks the margins in the same order, each against the cells hidden so far (this pass included).
  let changed = true;
  while (changed) {
    changed = false;
    for (let m = 0; m < prepared; m++) {
      const totalHidden = hidden[total[m]!] === 1;
      const unknowns = (totalHidden ? 1 : 0) + hiddenChildren[m]!;
      const singleUnknown = unknowns === 1;
      const smallRemainder = !totalHidden && mass[m]! > 0 && mass[m]! < k;
      if (!singleUnknown && !smallRemainder) continue;
      const end = start[m + 1]!;
      while (firstShown[m]! < end && hidden[children[firstShown[m]!]!]) firstShown[m]! += 1;
      if (firstShown[m]! < end) hide(children[firstShown[m]!]!);
      else hide(total[m]!);
      changed = true;
    }
  }
  return hidden;
}

/**
 * What a reader can work out from the shown cells alone, by repeatedly solving any margin with exactly one
 * unknown (each recovered cell then counts as known). Used by the tests as the attacker; empty when
 * suppressCells did its job.
 */
export function recoverableCells(
  cells: readonly Cell[],
  margins: readonly Margin[],
  hidden: ReadonlySet<string>,
): Map<string, number> {
  const value = new Map(cells.map((cell) => [cell.id, cell.value]));
  const known = new Map<string, number>();
  for (const cell of cells) if (!hidden.has(cell.id)) known.set(cell.id, cell.value);
  const recovered = new Map<string, number>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const margin of margins) {
      if (!value.has(margin.total)) continue;
      const children = [...new Set(margin.children)].filter(
        (id) => id !== margin.total && (value.get(id) ?? 0) > 0,
      );
      if (children.length === 0) continue;
      const unknown = [margin.total, ...children].filter((id) => !known.has(id));
      if (unknown.length !== 1) continue;
      const [id] = unknown as [string];
      const sumKnownChildren = children.filter((c) => c !== id).reduce((sum, c) => sum + known.get(c)!, 0);
      const solved = id === margin.total ? sumKnownChildren : known.get(margin.total)! - sumKnownChildren;
      known.set(id, solved);
      recovered.set(id, solved);
      progress = true;
    }
  }
  return recovered;
}
