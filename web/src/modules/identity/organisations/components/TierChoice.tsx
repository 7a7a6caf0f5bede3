import { useTranslation } from 'react-i18next';
import type { Tier } from '../api';
import { TIERS } from '../vocabulary';
import { RadioGroupField } from './fields';

/** The tiers a moderator can grant, each with what it means; the server refuses tiers that do not fit. */
export function TierChoice({ defaultValue }: { defaultValue?: Tier | null }) {
  const { t } = useTranslation();
  return (
    <RadioGroupField
      name="tier"
      legend={t('orgs.review.tierLegend')}
      options={TIERS.map((tier) => ({
        value: tier,
        label: t(`orgs.tiers.${tier}.name`),
        description: t(`orgs.tiers.${tier}.description`),
      }))}
      defaultValue={defaultValue ?? undefined}
      required
    />
  );
}
