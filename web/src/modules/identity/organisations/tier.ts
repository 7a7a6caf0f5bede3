/** How close an organisation's tier is to its end, as the organisation page describes it. */
export type TierValidity =
  | { state: 'none' }
  | { state: 'valid'; expiresAt: Date }
  | { state: 'expiring'; expiresAt: Date; daysLeft: number }
  | { state: 'expired'; expiresAt: Date };

/** Org admins are reminded by email this many days before expiry; the page warns from the same moment. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * Where a tier stands. Whether it has expired is the server's answer (`tierExpired`), so the page never
 * contradicts what the rest of the platform enforces; the early warning only counts the days left.
 */
export function tierValidity(
  organisation: { tier: string | null; tierExpiresAt: string | null; tierExpired: boolean },
  now: Date = new Date(),
): TierValidity {
  if (!organisation.tier || !organisation.tierExpiresAt) return { state: 'none' };
  const expiresAt = new Date(organisation.tierExpiresAt);
  if (organisation.tierExpired) return { state: 'expired', expiresAt };
  const msLeft = expiresAt.getTime() - now.getTime();
  if (msLeft <= EXPIRY_WARNING_DAYS * DAY_MS) {
    // "Expires in 1 day" until the very last moment, never "in 0 days".
    return { state: 'expiring', expiresAt, daysLeft: Math.max(1, Math.ceil(msLeft / DAY_MS)) };
  }
  return { state: 'valid', expiresAt };
}
