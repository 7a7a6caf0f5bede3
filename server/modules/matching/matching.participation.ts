import { sql, type SQL } from 'drizzle-orm';

/**
 * SQL: true when none of the organisations opted out of the selector type (`matching_participation`; the
 * person selector's kinds are chosen together, as `person`). Screening asks it of the organisation it finds,
 * re-screening of both sides of a pair.
 */
export function takePart(organisations: readonly SQL[], selectorType: SQL): SQL {
  return sql`not exists (select 1 from matching_participation p
                         where p.organisation_id in (${sql.join([...organisations], sql`, `)}) and not p.enabled
                           and p.selector_type = (case when ${selectorType} like 'person_%' then 'person'
                                                       else ${selectorType} end))`;
}
