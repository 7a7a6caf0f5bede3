import type { TFunction } from 'i18next';
import { ApiError } from '../../api/problem';

/** Both organisations' tiers, as the server gives them when two organisations never worked together. */
export interface PartnerTiers {
  senderTier: string | null;
  recipientTier: string | null;
}

const KNOWN_TIERS = ['verified', 'verified_frontline', 'law_enforcement_verified'];

/** A tier's name in the reader's language ("Not verified" for none). */
export function tierLabel(t: TFunction, tier: string | null): string {
  return tier && KNOWN_TIERS.includes(tier) ? t(`orgs.tiers.${tier}.name`) : t('orgs.tier.none');
}

/** The tiers carried by a 409 `new_partner_unconfirmed`, or null for any other failure. */
export function newPartnerOf(error: unknown): PartnerTiers | null {
  if (!(error instanceof ApiError) || error.problem?.code !== 'new_partner_unconfirmed') return null;
  const extension = (error.problem as unknown as { newPartner?: Partial<PartnerTiers> }).newPartner;
  return { senderTier: extension?.senderTier ?? null, recipientTier: extension?.recipientTier ?? null };
}
