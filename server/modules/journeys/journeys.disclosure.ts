/**
 * Disclosure control for the journey map (issue 7; docs/decisions/0011-journeys.md). Pure: the map service
 * builds the cells and margins of one answer, this decides which cells may be shown, and the tests call it
 * directly.
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
  if (!Number.isInteger(k) || k < minimumK) throw new Error(`k must be an integer of at least ${minimumK}`);
  // Cells by number (an answer has thousands): the last cell of an id counts, as in a map from id to value.
  const indexOf = new Map<string, number>();
  for (const cell of cells) indexOf.set(cell.id, indexOf.size);
  const ids = [...indexOf.keys()];
  const value = new Float64Array(ids.length);
  for (const cell of cells) value[indexOf.get(cell.id)!] = cell.value;
  const hidden = new Uint8Array(ids.length);
  for (const cell of cells) if (cell.value < k) hidden[indexOf.get(cell.id)!] = 1;
  // Smallest first, ties by id: the order complementary suppression picks a margin's children in.
  const byRank = ids.map((_, i) => i);
  byRank.sort((a, b) => value[a]! - value[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const rank = new Int32Array(ids.length);
  byRank.forEach((cell, position) => (rank[cell] = position));

  // Each margin's non-zero children (not its total, each once), smallest first; the counts of its hidden
  // children and the people they describe are kept up to date as cells are hidden, so a pass over thousands
  // of margins costs one look at each instead of a recount of every child.
  interface Prepared {
    total: number;
    children: number[];
    hiddenChildren: number;
    mass: number;
    /** Every child before this index is hidden (a hidden cell is never shown again). */
    firstShown: number;
  }
  const prepared: Prepared[] = [];
  const seen = new Int32Array(ids.length).fill(-1);
  for (const margin of margins) {
    const total = indexOf.get(margin.total);
    if (total === undefined) continue;
    const stamp = prepared.length;
    const children: number[] = [];
    for (const id of margin.children) {
      const child = indexOf.get(id);
      if (child === undefined || child === total || value[child]! <= 0 || seen[child] === stamp) continue;
      seen[child] = stamp;
      children.push(child);
    }
    if (children.length === 0) continue;
    prepared.push({
      total,
      children: children.sort((a, b) => rank[a]! - rank[b]!),
      hiddenChildren: 0,
      mass: 0,
      firstShown: 0,
    });
  }
  // The margins each cell is a child of.
  const parents: number[][] = ids.map(() => []);
  prepared.forEach((margin, index) => {
    for (const child of margin.children) {
      parents[child]!.push(index);
      if (hidden[child]) {
        margin.hiddenChildren += 1;
        margin.mass += value[child]!;
      }
    }
  });
  const hide = (cell: number) => {
    hidden[cell] = 1;
    for (const index of parents[cell]!) {
      prepared[index]!.hiddenChildren += 1;
      prepared[index]!.mass += value[cell]!;
    }
  };

  // Every pass checks the margins in the same order, each against the cells hidden so far (this pass included).
  let changed = true;
  while (changed) {
    changed = false;
    for (const margin of prepared) {
      const totalHidden = hidden[margin.total] === 1;
      const unknowns = (totalHidden ? 1 : 0) + margin.hiddenChildren;
      const singleUnknown = unknowns === 1;
      const smallRemainder = !totalHidden && margin.mass > 0 && margin.mass < k;
      if (!singleUnknown && !smallRemainder) continue;
      while (margin.firstShown < margin.children.length && hidden[margin.children[margin.firstShown]!]) {
        margin.firstShown += 1;
      }
      if (margin.firstShown < margin.children.length) hide(margin.children[margin.firstShown]!);
      else hide(margin.total);
      changed = true;
    }
  }
  return new Set(ids.filter((_, i) => hidden[i] === 1));
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
