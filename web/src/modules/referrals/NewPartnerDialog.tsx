import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../ui';
import { tierLabel, type PartnerTiers } from './tiers';

/**
 * Two organisations that never worked together: both tiers, and a confirmation before the referral goes.
 */
export function NewPartnerDialog({
  tiers,
  senderName,
  recipientName,
  busy,
  onConfirm,
  onClose,
}: {
  tiers: PartnerTiers | null;
  senderName: string;
  recipientName: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={tiers !== null}
      onClose={onClose}
      title={t('referrals.newPartner.title')}
      footer={
        <>
          <Button busy={busy} onClick={onConfirm}>
            {t('referrals.newPartner.confirm')}
          </Button>
          <Button variant="secondary" onClick={onClose}>
            {t('cases.file.cancel')}
          </Button>
        </>
      }
    >
      <p>{t('referrals.newPartner.intro')}</p>
      {tiers && (
        <dl className="orgs-details">
          <div className="cases-details__row">
            <dt>{senderName}</dt>
            <dd>{tierLabel(t, tiers.senderTier)}</dd>
          </div>
          <div className="cases-details__row">
            <dt>{recipientName}</dt>
            <dd>{tierLabel(t, tiers.recipientTier)}</dd>
          </div>
        </dl>
      )}
    </Dialog>
  );
}
