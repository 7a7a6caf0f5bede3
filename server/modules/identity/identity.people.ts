import { inArray } from 'drizzle-orm';
import type { Queryable } from '../../kernel/db/types.js';
import { identityPeople } from './identity.tables.js';

/**
 * The display names of these people, by id, in one query (ids repeated or null are fine; unknown ids are left
 * out). For the modules that show who wrote, decided or was assigned something.
 */
export async function personNames(
  db: Queryable,
  ids: Iterable<string | null | undefined>,
): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: identityPeople.id, name: identityPeople.displayName })
    .from(identityPeople)
    .where(inArray(identityPeople.id, unique));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** A person as the other modules show one — id and display name — or null for no one or an unknown id. */
export function namedPerson(
  names: ReadonlyMap<string, string>,
  id: string | null,
): { personId: string; name: string } | null {
  const name = id ? names.get(id) : undefined;
  return id && name !== undefined ? { personId: id, name } : null;
}
