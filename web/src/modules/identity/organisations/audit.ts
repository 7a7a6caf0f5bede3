import type { TFunction } from 'i18next';
import type { AuditEntry } from './api';
import { ROLES, TIERS, isOneOf } from './vocabulary';

/**
 * A readable line for an audit entry's details. Only the facts worth reading are shown (roles, tiers,
 * counts, countries); ids are left out because nobody can act on them from this page.
 */
export function describeDetails(
  entry: AuditEntry,
  t: TFunction,
  countries: (codes: string[]) => string,
): string {
  const details = entry.details;
  const parts: string[] = [];
  const role = (value: unknown) =>
    typeof value === 'string' && isOneOf(ROLES, value) ? t(`orgs.roles.${value}.name`) : null;
  const tier = (value: unknown) =>
    typeof value === 'string' && isOneOf(TIERS, value) ? t(`orgs.tiers.${value}.name`) : null;

  const from = role(details.from);
  const to = role(details.to);
  if (from && to) parts.push(t('orgs.audit.details.roleChange', { from, to }));
  else if (role(details.role)) parts.push(t('orgs.audit.details.role', { role: role(details.role) }));
  if (tier(details.tier)) parts.push(t('orgs.audit.details.tier', { tier: tier(details.tier) }));
  if (typeof details.sessionsEnded === 'number') {
    parts.push(t('orgs.audit.details.sessionsEnded', { count: details.sessionsEnded }));
  }
  const listed: unknown = details.countries;
  if (Array.isArray(listed) && listed.every((code): code is string => typeof code === 'string')) {
    parts.push(countries(listed));
  }
  return parts.join(' · ');
}

/** The action of an audit entry in words; unknown actions (from newer servers) show their code. */
export function describeAction(entry: AuditEntry, t: TFunction): string {
  return t(`orgs.audit.actions.${entry.action.replace(/\./g, '_')}`, { defaultValue: entry.action });
}

/** Who acted, without naming platform staff when the server withheld their name. */
export function describeActor(entry: AuditEntry, t: TFunction): string {
  if (!entry.actor) return t('orgs.audit.system');
  if (entry.actor.displayName) {
    return entry.actor.platformStaff
      ? t('orgs.audit.staffNamed', { name: entry.actor.displayName })
      : entry.actor.displayName;
  }
  return t(entry.actor.platformStaff ? 'orgs.audit.staff' : 'orgs.audit.someone');
}
