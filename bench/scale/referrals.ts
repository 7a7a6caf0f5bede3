import { caseSections } from '../../server/modules/cases/cases.vocabulary.js';
import { services } from '../../server/modules/directory/directory.vocabulary.js';
import {
  referralOutcomes,
  referralUrgencies,
  type ReferralState,
} from '../../server/modules/referrals/referrals.vocabulary.js';
import { casesReferee } from './cases.js';
import { uuidFrom } from './directory-organisations.js';
import type { ScaleGenerator } from './generators.js';
import type { Rng } from './prng.js';
import type { BulkColumn, SqlClient } from './sql.js';

/**
 * `referrals`: referrals between the organisations of the `cases` generator, each about one of the sender's
 * case files, written into **Cairn's own table** (`referrals_referrals`) after Cairn's migrations. A referral's
 * sender is its case's organisation, its recipient another of those organisations; when there are more
 * referrals than cases, cases are referred again (a case referred to a shelter, then to legal aid …).
 *
 * States are spread as a platform that has run for two years would hold them — most referrals finished,
 * some in progress, a few waiting — with the timestamps each state implies. Free text (`*_sealed`) stays null:
 * the lists never read it, and a sealed note needs the sender's key, which the list does not use either.
 */

/** The states of generated referrals and their weights (a draft has never been sent: no recipient sees it). */
export const referralStateWeights: readonly (readonly [ReferralState, number])[] = [
  ['draft', 3],
  ['sent', 6],
  ['acknowledged', 4],
  ['accepted', 4],
  ['declined', 5],
  ['in_progress', 20],
  ['completed', 45],
  ['closed', 6],
  ['cancelled', 7],
];
const totalWeight = referralStateWeights.reduce((sum, [, weight]) => sum + weight, 0);

function pickState(rng: Rng): ReferralState {
  let draw = rng.int(0, totalWeight - 1);
  for (const [state, weight] of referralStateWeights) {
    if (draw < weight) return state;
    draw -= weight;
  }
  return 'completed';
}

const hour = 3_600_000;
/** Referrals span the two years before the generation. */
const spanHours = 2 * 365 * 24;

/** One generated referral row, as inserted. */
export interface SyntheticReferral {
  id: string;
  caseId: string;
  senderOrganisationId: string;
  recipientOrganisationId: string;
  state: ReferralState;
  services: string[];
  sections: string[];
  urgency: string;
  acknowledgeDueAt: Date | null;
  sentAt: Date | null;
  acknowledgedAt: Date | null;
  decidedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  outcome: string | null;
  cancelledBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A case a referral can be about: its id and its organisation. */
export interface ReferableCase {
  id: string;
  organisationId: string;
}

const afterStates: Record<ReferralState, number> = {
  draft: 0,
  sent: 1,
  cancelled: 1,
  acknowledged: 2,
  accepted: 3,
  declined: 3,
  in_progress: 4,
  completed: 5,
  closed: 5,
};

/**
 * A referral of `source` to one of the other organisations, created `ageHours` before `now`. Deterministic for
 * the stream's state; every timestamp follows the state's history (sent ≤ acknowledged ≤ decided …).
 */
export function syntheticReferral(
  rng: Rng,
  source: ReferableCase,
  organisations: readonly string[],
  now: number,
): SyntheticReferral {
  if (organisations.length < 2) throw new Error('referrals need at least two organisations');
  let recipient = rng.pick(organisations);
  while (recipient === source.organisationId) recipient = rng.pick(organisations);
  const state = pickState(rng);
  const step = afterStates[state];
  const created = now - rng.int(1, spanHours) * hour;
  let at = created;
  const next = (maxHours: number) => {
    at = Math.min(now, at + rng.int(1, maxHours) * hour);
    return new Date(at);
  };
  const sentAt = step >= 1 ? next(24) : null;
  const acknowledgedAt = step >= 2 && state !== 'cancelled' ? next(72) : null;
  const decidedAt = step >= 3 ? next(96) : null;
  const startedAt = step >= 4 ? next(72) : null;
  const endedAt = step >= 5 || state === 'declined' || state === 'cancelled' ? next(24 * 60) : null;
  const serviceCount = rng.int(1, 3);
  const chosen = new Set<string>();
  while (chosen.size < serviceCount) chosen.add(rng.pick(services));
  const sectionCount = rng.int(1, caseSections.length);
  const sections = caseSections.slice(0, sectionCount);
  return {
    id: uuidFrom(rng),
    caseId: source.id,
    senderOrganisationId: source.organisationId,
    recipientOrganisationId: recipient,
    state,
    services: [...chosen],
    sections: [...sections],
    urgency: rng.chance(0.8) ? 'normal' : rng.pick(referralUrgencies),
    acknowledgeDueAt: sentAt ? new Date(sentAt.getTime() + 48 * hour) : null,
    sentAt,
    acknowledgedAt,
    decidedAt,
    startedAt,
    endedAt,
    outcome: state === 'completed' ? rng.pick(referralOutcomes) : null,
    cancelledBy: state === 'cancelled' ? 'sender' : null,
    createdAt: new Date(created),
    updatedAt: new Date(at),
  };
}

const columns: readonly BulkColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'case_id', type: 'uuid' },
  { name: 'sender_organisation_id', type: 'uuid' },
  { name: 'recipient_organisation_id', type: 'uuid' },
  { name: 'state', type: 'text' },
  // text[] columns travel as the text of a PostgreSQL array literal and are cast back below.
  { name: 'services', type: 'text' },
  { name: 'sections', type: 'text' },
  { name: 'urgency', type: 'text' },
  { name: 'acknowledge_due_at', type: 'timestamptz' },
  { name: 'sent_at', type: 'timestamptz' },
  { name: 'acknowledged_at', type: 'timestamptz' },
  { name: 'decided_at', type: 'timestamptz' },
  { name: 'started_at', type: 'timestamptz' },
  { name: 'ended_at', type: 'timestamptz' },
  { name: 'outcome', type: 'text' },
  { name: 'cancelled_by', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'updated_at', type: 'timestamptz' },
];

/** `{a,b}`: our own vocabulary words only (plain snake_case), so no quoting is needed. */
const arrayLiteral = (values: readonly string[]) => {
  for (const value of values)
    if (!/^[A-Za-z_]+$/.test(value)) throw new Error(`not a vocabulary word: ${value}`);
  return `{${values.join(',')}}`;
};

/** The generated organisations and their cases (not drafts), in a stable order. */
export async function referableCases(
  db: SqlClient,
): Promise<{ organisations: string[]; cases: ReferableCase[] }> {
  const organisations = (
    await db.query<{ id: string }>(
      'select id::text as id from identity_organisations where referee = $1 order by id',
      [casesReferee],
    )
  ).map((row) => row.id);
  const cases = await db.query<ReferableCase>(
    `select f.id::text as id, f.organisation_id::text as "organisationId" from cases_files f
      where f.organisation_id = any($1::uuid[]) and f.status <> 'Draft' order by f.id`,
    [organisations],
  );
  return { organisations, cases };
}

const batchSize = 10_000;
/** From this many referrals on, the table's secondary indexes are dropped for the load and rebuilt after it. */
const rebuildIndexesFrom = 50_000;

/** One statement per batch: every value a parameter; the array columns travel as array literals and are cast. */
export const insertReferralsSql = (() => {
  const names = columns.map((c) => c.name);
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const selected = names.map((n) => (n === 'services' || n === 'sections' ? `${n}::text[]` : n)).join(', ');
  return (
    `insert into referrals_referrals (${names.join(', ')}) select ${selected} ` +
    `from unnest(${arrays}) as t(${names.join(', ')})`
  );
})();

/** The rows of a batch as one array per column, in `columns` order. */
export function referralColumns(rows: readonly SyntheticReferral[]): unknown[][] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.caseId),
    rows.map((r) => r.senderOrganisationId),
    rows.map((r) => r.recipientOrganisationId),
    rows.map((r) => r.state),
    rows.map((r) => arrayLiteral(r.services)),
    rows.map((r) => arrayLiteral(r.sections)),
    rows.map((r) => r.urgency),
    rows.map((r) => r.acknowledgeDueAt),
    rows.map((r) => r.sentAt),
    rows.map((r) => r.acknowledgedAt),
    rows.map((r) => r.decidedAt),
    rows.map((r) => r.startedAt),
    rows.map((r) => r.endedAt),
    rows.map((r) => r.outcome),
    rows.map((r) => r.cancelledBy),
    rows.map((r) => r.createdAt),
    rows.map((r) => r.updatedAt),
  ];
}

/** The referral numbered `n` is about case `n mod cases` (each case in turn, then again). */
export function caseOfReferral(cases: readonly ReferableCase[], n: number): ReferableCase {
  return cases[n % cases.length]!;
}

export const referralsGenerator: ScaleGenerator = {
  name: 'referrals',
  description: 'referrals between the case organisations (Cairn tables; run Cairn migrations first)',
  dependsOn: ['cases'],
  async create(db, preset, rng) {
    const [table] = await db.query<{ name: string | null }>(
      `select to_regclass('referrals_referrals')::text as name`,
    );
    if (!table?.name)
      throw new Error(
        'referrals: Cairn’s tables are missing — run its migrations first (start Cairn once, or `server/main.ts migrate`)',
      );
    const [existing] = await db.query<{ n: number }>('select count(*)::int as n from referrals_referrals');
    if ((existing?.n ?? 0) > 0)
      throw new Error('referrals: referrals_referrals is not empty (fresh databases only)');
    const { organisations, cases } = await referableCases(db);
    if (cases.length === 0 || organisations.length < 2)
      throw new Error('referrals: the cases generator’s organisations and cases are missing');
    const total = preset.referrals;
    const now = Date.now();
    // Indexes are rebuilt after a large load (several times faster than maintaining them row by row).
    const indexes =
      total >= rebuildIndexesFrom
        ? await db.query<{ name: string; definition: string }>(
            `select indexname as name, indexdef as definition from pg_indexes
              where schemaname = current_schema() and tablename = 'referrals_referrals'
                and indexname <> 'referrals_referrals_pkey'`,
          )
        : [];
    // Dropped by PostgreSQL itself (format('%I') over the catalogue), the same list as read above.
    if (indexes.length > 0)
      await db.exec(
        `do $$ declare i record; begin
           for i in select indexname from pg_indexes
                     where schemaname = current_schema() and tablename = 'referrals_referrals'
                       and indexname <> 'referrals_referrals_pkey'
           loop execute format('drop index %I', i.indexname); end loop;
         end $$`,
      );
    let inFlight: Promise<unknown> | undefined;
    try {
      for (let start = 0; start < total; start += batchSize) {
        const rows: SyntheticReferral[] = [];
        for (let n = start; n < Math.min(total, start + batchSize); n++)
          rows.push(syntheticReferral(rng, caseOfReferral(cases, n), organisations, now));
        const batch = referralColumns(rows);
        await inFlight;
        inFlight = db.query(insertReferralsSql, batch);
      }
      await inFlight;
    } catch (error) {
      await inFlight?.catch(() => undefined);
      throw error;
    }
    // The definitions come from PostgreSQL's own catalogue (pg_indexes), exactly as the migrations made them.
    for (const index of indexes) await db.exec(index.definition);
    await db.exec('analyze referrals_referrals');
    return { rows: total };
  },
};
