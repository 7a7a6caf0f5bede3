import { sql } from 'drizzle-orm';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import { bloomParameters } from './matching.blind.js';
import { notifyMatches } from './matching.notifications.js';
import { takePart } from './matching.participation.js';

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'matching.rescreen': { organisationId: string };
  }
}

const rescreenJob = 'matching.rescreen';

/**
 * The organisation's own selectors are read from the organisation index alone (it carries every column needed),
 * then each probes the others through the blind index's hash index; each name probes only the names of its block
 * that share one of its band keys (GIN index). The lateral joins keep the planner from hashing the whole selectors
 * or names table.
 *
 * Several organisations are re-screened at once (the job queue runs jobs side by side), and two of them may
 * write the same pair. A pair written but not yet committed makes the other's write of it wait until the first
 * transaction ends, so both searches run before anything is written, and the writes come last, in one global
 * order (low subject, high subject, type): two re-screenings wait for each other only briefly and never deadlock.
 *
 * SECURITY: bulk re-screening of one organisation's open subjects against every other organisation's, inside the
 * database (platform scope): exact selectors by a join on the blind index, names by Dice among the candidates of
 * the same block and key version (docs/matching.md "Candidates"). New matches are recorded (pairs already matched
 * are left alone). Returns the organisations with new matches, whom the caller tells.
 */
export async function rescreenIn(
  tx: Tx,
  organisationId: string,
): Promise<{ selectors: number; names: number; matches: number; owners: string[] }> {
  await setPlatformScope(tx);
  const [counts] = await queryRows<{ selectors: number; names: number }>(
    tx,
    sql`select (select count(*)::int from matching_selectors where organisation_id = ${organisationId}) as selectors,
               (select count(*)::int from matching_names where organisation_id = ${organisationId}) as names`,
  );
  // The pair in its stored order (low = the smaller subject id) with each side's organisation; aliases m and o.
  const pair = sql`
    least(m.subject_id, o.subject_id) as low_subject_id,
    case when m.subject_id < o.subject_id then m.organisation_id else o.organisation_id end as low_organisation_id,
    greatest(m.subject_id, o.subject_id) as high_subject_id,
    case when m.subject_id < o.subject_id then o.organisation_id else m.organisation_id end as high_organisation_id`;
  const dice = sql`2.0 * bit_count(m.filter & o.filter) / (m.ones + o.ones)`;
  // One statement: both searches finish (the final sort takes every row) before the first pair is written, so the
  // pairs stay uncommitted only from the write to the end of the transaction (see the comment above).
  const created = await queryRows<{ low: string; high: string }>(
    tx,
    sql`with exact as (
          select distinct m.selector_type, ${pair}
          from matching_selectors m
          join matching_subjects mj on mj.id = m.subject_id and mj.status = 'open'
          cross join lateral (select o.subject_id, o.organisation_id from matching_selectors o
                              where o.blind_index = m.blind_index and o.organisation_id <> m.organisation_id) o
          join matching_subjects oj on oj.id = o.subject_id and oj.status = 'open'
          join identity_organisations oo on oo.id = o.organisation_id and oo.status = 'active'
          where m.organisation_id = ${organisationId}
            and ${takePart([sql`m.organisation_id`, sql`o.organisation_id`], sql`m.selector_type`)}
        ),
        fuzzy as (
          select distinct on (least(m.subject_id, o.subject_id), greatest(m.subject_id, o.subject_id))
                 round((${dice})::numeric, 3)::real as score, ${pair}
          from matching_subjects mj
          join matching_names m on m.subject_id = mj.id
          cross join lateral (select o.subject_id, o.organisation_id, o.filter, o.ones from matching_names o
                              where o.bands && m.bands and o.block = m.block and o.key_version = m.key_version
                                and o.organisation_id <> m.organisation_id) o
          join matching_subjects oj on oj.id = o.subject_id and oj.status = 'open'
          join identity_organisations oo on oo.id = o.organisation_id and oo.status = 'active'
          where mj.organisation_id = ${organisationId} and mj.status = 'open' and m.organisation_id = ${organisationId}
            and ${dice} >= ${bloomParameters.threshold}
            and ${takePart([sql`m.organisation_id`, sql`o.organisation_id`], sql`'person'`)}
          order by least(m.subject_id, o.subject_id), greatest(m.subject_id, o.subject_id), ${dice} desc
        )
        insert into matching_matches (selector_type, score, low_subject_id, low_organisation_id, high_subject_id, high_organisation_id)
        select * from (
          select selector_type, null::real as score, low_subject_id, low_organisation_id, high_subject_id, high_organisation_id
          from exact
          union all
          select 'person_name_fuzzy', score, low_subject_id, low_organisation_id, high_subject_id, high_organisation_id
          from fuzzy f
          -- No fuzzy match where an exact person selector met the same pair, now or before.
          where not exists (select 1 from exact x
                            where x.low_subject_id = f.low_subject_id and x.high_subject_id = f.high_subject_id
                              and x.selector_type like 'person_name_%')
            and not exists (select 1 from matching_matches x
                            where x.low_subject_id = f.low_subject_id and x.high_subject_id = f.high_subject_id
                              and x.selector_type like 'person_name_%')
        ) pairs
        order by low_subject_id, high_subject_id, selector_type
        on conflict do nothing
        returning low_organisation_id as low, high_organisation_id as high`,
  );
  return {
    selectors: counts!.selectors,
    names: counts!.names,
    matches: created.length,
    owners: [...new Set(created.flatMap((row) => [row.low, row.high]))],
  };
}

/**
 * Re-screens an organisation in one transaction, tells both owners of every new match and audits the run.
 * Used after an organisation opts back in to a type, when its earlier registrations could not meet others.
 */
export async function rescreenOrganisation(
  kernel: Kernel,
  organisationId: string,
): Promise<{ selectors: number; names: number; matches: number }> {
  return inTransaction(kernel.database.db, async (tx) => {
    const { owners, ...result } = await rescreenIn(tx, organisationId);
    if (owners.length > 0) await notifyMatches(kernel, tx, owners);
    await recordAudit(tx, {
      action: 'matching.rescreened',
      organisationId,
      objectType: 'organisation',
      objectId: organisationId,
      details: result,
    });
    return result;
  });
}

/** Registers the re-screening job. */
export function setupRescreening(kernel: Kernel): void {
  kernel.jobs.register(rescreenJob, async (payload, run) => {
    const result = await rescreenOrganisation(kernel, payload.organisationId);
    run.log.info({ organisationId: payload.organisationId, ...result }, 'matching re-screened');
  });
}

export { rescreenJob };
