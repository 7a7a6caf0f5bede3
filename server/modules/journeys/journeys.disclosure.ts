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
  const value = new Map<string, number>();
  for (const cell of cells) value.set(cell.id, cell.value);
  const hidden = new Set<string>();
  for (const cell of cells) if (cell.value < k) hidden.add(cell.id);

  // Each margin's non-zero children, smallest first (the order complementary suppression picks them in).
  const prepared = margins
    .filter((margin) => value.has(margin.total))
    .map((margin) => ({
      total: margin.total,
      children: [...new Set(margin.children)]
        .filter((id) => id !== margin.total && (value.get(id) ?? 0) > 0)
        .sort((a, b) => value.get(a)! - value.get(b)! || (a < b ? -1 : a > b ? 1 : 0)),
    }))
    .filter((margin) => margin.children.length > 0);

  let changed = true;
  while (changed) {
    changed = false;
    for (const margin of prepared) {
      const totalHidden = hidden.has(margin.total);
      let unknowns = totalHidden ? 1 : 0;
      let mass = 0;
      for (const id of margin.children) {
        if (hidden.has(id)) {
          unknowns += 1;
          mass += value.get(id)!;
        }
      }
      const singleUnknown = unknowns === 1;
      const smallRemainder = !totalHidden && mass > 0 && mass < k;
      if (!singleUnknown && !smallRemainder) continue;
      const next = margin.children.find((id) => !hidden.has(id));
      if (next !== undefined) hidden.add(next);
      else hidden.add(margin.total);
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
