import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import type { JobQueue } from '../../kernel/jobs/jobs.js';
import { markAllSlices, markRoutes, schedulePublication } from './journeys.publication.js';
import { journeysFlows, journeysHotspots, journeysLegs, journeysRoutes } from './journeys.tables.js';
import { anyValue, noIndustry, quarterUnknown, wholeYear } from './journeys.vocabulary.js';

/**
 * The summary tables of the map (docs/decisions/0011-journeys.md), kept by one SQL statement per table that
 * adds (or, with sign −1, takes away) the cells of a set of contributions:
 *
 * - A flow is a pair of consecutive stops of a route's path: origin → transit points → places of exploitation,
 *   in the order given (the intended destination is a promise, not a movement: it is a hotspot only). A route
 *   counts once per distinct pair per level (country; admin-1 region, or the country when no region is known).
 * - A hotspot is an area where a route has a stop of a role (origin, destination, transit, exploitation), plus
 *   `any` (the route touches the area) and the world total; a route counts once per area and role.
 * - Every cell exists for each exploitation type of the route and for `*` (any type: the route counted once),
 *   per whole year (quarter 0), in four slices of the two band filters (industry and nationality band): the
 *   exact cells (both given), one slice per filter (that one given, the other rolled up to `*`), and the
 *   unfiltered slice (both `*`) — and per quarter (1–4; 5 = not given) in the unfiltered slice only. Region
 *   cells exist only in the unfiltered slice: with a band filter the member map shows countries (the world's
 *   region pairs are many, and cut by a band they were most of the summary and almost all under k). The
 *   publication reads exactly one slice at a time (journeys.publication.ts). Never the contributions.
 *
 * The caller runs it in the transaction of the change (a decision, an edit of a validated route), so the map
 * never shows a state that was rolled back. SECURITY: the caller must have lifted the tenant wall
 * (setPlatformScope) — contributions of every organisation count.
 */

type Selection = { routeIds: readonly string[] } | { allValidated: true };

function routesOf(selection: Selection): SQL {
  if ('allValidated' in selection) return sql`r.status = 'validated'`;
  // A Postgres array literal: uuids need no quoting, and drizzle would expand a JS array into a row.
  return sql`r.id = any(${`{${selection.routeIds.join(',')}}`}::uuid[])`;
}

/** The dimensions every cell carries; `q` is the route's quarter (5 when none was given). */
function routeColumns(): SQL {
  return sql`r.id as route_id, r.year, coalesce(r.quarter, ${quarterUnknown})::smallint as q,
    r.exploitation_types, coalesce(r.industry, ${noIndustry}) as industry, r.nationality_band, r.people`;
}

/** The people and routes of a cell, added or taken away. */
const signed = (sign: 1 | -1): SQL =>
  sign > 0 ? sql`sum(people)::int, count(*)::int` : sql`(-sum(people))::int, (-count(*))::int`;

/**
 * The GROUP BY tail and the roll-up columns shared by both tables: the slices the map reads (see above).
 * Quarters are kept only in the slice without band filters (a quarterly timeline); every other slice is per
 * year (the map reads whole years). `having` keeps regions out of the band slices: `grouping(…) = 3` is a row
 * of a set where both bands are rolled up. The gender and age bands of a contribution are not map filters (the
 * issue's filters are period, type, industry, region and nationality): each multiplied the cells by up to five.
 */
const slices = sql`exploitation_type, grouping sets ((q), (), (industry), (nationality_band),
  (industry, nationality_band))
  having level <> 'region' or grouping(industry, nationality_band) = 3`;
const rolledUp = sql`coalesce(q, ${wholeYear})::smallint,
  exploitation_type, coalesce(industry, ${anyValue}), coalesce(nationality_band, ${anyValue})`;
/** Each route once per exploitation type, and once more under `*`. */
const typeExpansion = sql`cross join lateral (
    select unnest(r.exploitation_types) as exploitation_type union all select ${anyValue}
  ) t`;

async function applyFlows(tx: Tx, selection: Selection, sign: 1 | -1): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with r as (select ${routeColumns()} from ${journeysRoutes} r where ${routesOf(selection)}),
      stops as (
        select l.route_id, l.country, coalesce(l.region, l.country) as region,
          row_number() over (partition by l.route_id order by l.position) as n
        from ${journeysLegs} l join r on r.route_id = l.route_id
        where l.role <> 'destination'
      ),
      pairs as (
        select distinct a.route_id, 'country' as level, a.country as from_area, b.country as to_area,
          a.country as from_country, b.country as to_country
        from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
        union
        select distinct a.route_id, 'region', a.region, b.region, a.country, b.country
        from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
      ),
      cells as (
        select p.level, p.from_area, p.to_area, p.from_country, p.to_country, r.year, r.q, t.exploitation_type,
          r.industry, r.nationality_band, r.people
        from pairs p join r on r.route_id = p.route_id ${typeExpansion}
      ),
      inserted as (
        insert into ${journeysFlows} as f (level, from_area, to_area, from_country, to_country, year, quarter,
          exploitation_type, industry, nationality_band, people, routes)
        select level, from_area, to_area, from_country, to_country, year, ${rolledUp},
          ${signed(sign)}
        from cells
        group by level, from_area, to_area, from_country, to_country, year, ${slices}
        -- One lock order for every writer: two decisions touching the same cells wait, never deadlock. A
        -- rebuild writes into empty tables under an exclusive lock: no order, no conflict.
        ${
          'allValidated' in selection
            ? sql``
            : sql`order by 1, 7, 8, 9, 10, 6, 2, 3
        on conflict (level, quarter, exploitation_type, industry, nationality_band, year, from_area, to_area)
        do update set people = f.people + excluded.people, routes = f.routes + excluded.routes`
        }
        returning 1
      )
      select count(*)::int as n from inserted`,
  );
  return rows[0]?.n ?? 0;
}

async function applyHotspots(tx: Tx, selection: Selection, sign: 1 | -1): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with r as (select ${routeColumns()} from ${journeysRoutes} r where ${routesOf(selection)}),
      places as (
        select l.route_id, l.role, l.country, coalesce(l.region, l.country) as region
        from ${journeysLegs} l join r on r.route_id = l.route_id
      ),
      areas as (
        select distinct route_id, 'country' as level, country as area, country, role from places
        union select distinct route_id, 'region', region, country, role from places
        union select distinct route_id, 'country', country, country, 'any' from places
        union select distinct route_id, 'region', region, country, 'any' from places
        union select route_id, 'world', ${anyValue}, ${anyValue}, 'any' from r
      ),
      cells as (
        select a.level, a.area, a.country, a.role, r.year, r.q, t.exploitation_type, r.industry,
          r.nationality_band, r.people
        from areas a join r on r.route_id = a.route_id ${typeExpansion}
      ),
      inserted as (
        insert into ${journeysHotspots} as h (level, area, country, role, year, quarter, exploitation_type,
          industry, nationality_band, people, routes)
        select level, area, country, role, year, ${rolledUp}, ${signed(sign)}
        from cells
        group by level, area, country, role, year, ${slices}
        ${
          'allValidated' in selection
            ? sql``
            : sql`order by 1, 6, 7, 8, 9, 5, 2, 4
        on conflict (level, quarter, exploitation_type, industry, nationality_band, year, area, role)
        do update set people = h.people + excluded.people, routes = h.routes + excluded.routes`
        }
        returning 1
      )
      select count(*)::int as n from inserted`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Adds (sign 1) or removes (sign −1) the cells of these contributions. Call it with +1 right after a route
 * becomes validated, and with −1 while a validated route is still as it was counted (before it is changed,
 * rejected or deleted). Marks the slices they are counted in and queues their publication
 * (journeys.publication.ts): the map shows the change once it is published, a few seconds later.
 */
export async function applyRoutes(
  tx: Tx,
  jobs: JobQueue,
  routeIds: readonly string[],
  sign: 1 | -1,
): Promise<void> {
  if (routeIds.length === 0) return;
  await markRoutes(tx, routeIds);
  await schedulePublication(tx, jobs);
  await applyFlows(tx, { routeIds }, sign);
  await applyHotspots(tx, { routeIds }, sign);
  // A cell no contribution describes any more is gone (a zero would still say "something was here").
  if (sign < 0) {
    await tx.execute(sql`delete from ${journeysFlows} where routes <= 0`);
    await tx.execute(sql`delete from ${journeysHotspots} where routes <= 0`);
  }
}

/**
 * Rebuilds both summary tables from scratch out of every validated contribution (after a restore, a change of
 * the flow rule, or to check that the incremental path agrees), and marks every slice for publication
 * (`schedulePublication` queues it). Takes an exclusive lock on both tables for the
 * transaction, so map readers wait instead of seeing them half-built.
 */
export async function rebuildAggregates(tx: Tx): Promise<{ flows: number; hotspots: number }> {
  await tx.execute(sql`lock table ${journeysFlows}, ${journeysHotspots} in exclusive mode`);
  await tx.execute(sql`delete from ${journeysFlows}`);
  await tx.execute(sql`delete from ${journeysHotspots}`);
  const flows = await applyFlows(tx, { allValidated: true }, 1);
  const hotspots = await applyHotspots(tx, { allValidated: true }, 1);
  // Every slice is to be published again from the rebuilt cells (and those no longer there lose their
  // documents): the caller queues the publication.
  await markAllSlices(tx);
  return { flows, hotspots };
}
