import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../../kernel/db/client.js';
import { queryRows } from '../../kernel/db/types.js';
import type { SearchRow, SearchRowSource } from './directory.search.index.js';
import { directorySearchEntries } from './directory.tables.js';

const rowColumns = sql`organisation_id, audience, active, tier, type, name, names_folded,
  tsvector_to_array(document) as tokens, tags, countries, regions, summaries, latitude, longitude, updated_at`;

/**
 * The search index's rows from the database (`directory_search_entries`). A trigger announces after each commit
 * which organisation's rows changed (`pg_notify('directory_search', id)`).
 */
export function databaseRows(database: Database): SearchRowSource {
  return {
    // In key order, in one repeatable-read snapshot (as one select would be). One select of every row held them
    // all at once (about 1 GB at 100,000 organisations), and node-postgres kept the result of a new connection's
    // first query alive with that connection (a closure of the pool's).
    async readAll(batchRows, onBatch) {
      await database.db.transaction(
        async (tx) => {
          let after: SearchRow | undefined;
          for (;;) {
            const rows = await queryRows<SearchRow>(
              tx,
              sql`select ${rowColumns} from directory_search_entries
                  where ${after ? sql`(audience, organisation_id) > (${after.audience}, ${after.organisation_id})` : sql`true`}
                  order by audience, organisation_id limit ${batchRows}`,
            );
            after = rows.at(-1);
            onBatch(rows);
            if (rows.length < batchRows) break;
          }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
    },
    readSome: (organisationIds) =>
      queryRows<SearchRow>(
        database.db,
        sql`select ${rowColumns} from directory_search_entries
            where ${inArray(directorySearchEntries.organisationId, organisationIds)}`,
      ),
    listen: (onChange, onLost) => database.listen('directory_search', onChange, onLost),
  };
}
