import { useTranslation } from 'react-i18next';
import type { OrganisationStatus, Tier } from '../api';

/**
 * An organisation's vetting tier as a badge. The text carries the meaning; the colour only repeats it, and
 * an expired tier says so in words too.
 */
export function TierBadge({ tier, expired = false }: { tier: Tier | null; expired?: boolean }) {
  const { t } = useTranslation();
  if (!tier) return <span className="orgs-badge orgs-badge--neutral">{t('orgs.tier.none')}</span>;
  return (
    <span className={`orgs-badge orgs-badge--tier orgs-badge--${expired ? 'warning' : tier}`}>
      {expired
        ? t('orgs.tier.expiredBadge', { tier: t(`orgs.tiers.${tier}.name`) })
        : t(`orgs.tiers.${tier}.name`)}
    </span>
  );
}

const statusTone: Record<OrganisationStatus, string> = {
  pending: 'info',
  info_requested: 'warning',
  active: 'success',
  rejected: 'neutral',
  suspended: 'danger',
};

/** Where an organisation stands in vetting, as a badge. */
export function StatusBadge({ status }: { status: OrganisationStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${statusTone[status]}`}>{t(`orgs.statuses.${status}`)}</span>
  );
}
