import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../../../api/client';
import { Button, Loading, PageHeading, useToast } from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { orgKeys, type Organisation, type Tier } from '../api';
import { ActionDialog } from '../components/ActionDialog';
import { StatusBadge, TierBadge } from '../components/badges';
import { TextAreaField } from '../components/fields';
import { LoadError } from '../components/notices';
import { OrganisationDetails } from '../components/OrganisationDetails';
import { TierChoice } from '../components/TierChoice';
import { textOf } from '../form-data';
import { useFormat } from '../format';
import { required, useFormMutation, useOrganisation } from '../queries';
import { tierValidity } from '../tier';
import { TIERS, isOneOf } from '../vocabulary';
import '../organisations.css';

/** An organisation's page: its tier and when it was last verified, its countries, and what one may do. */
export function OrganisationPage() {
  return (
    <RequireSignIn>
      <OrganisationLoader />
    </RequireSignIn>
  );
}

function OrganisationLoader() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const organisation = useOrganisation(id);

  if (organisation.isPending || organisation.isError) {
    return (
      <div className="page page--narrow">
        <PageHeading>{t('orgs.organisation.title')}</PageHeading>
        {organisation.isPending ? (
          <Loading />
        ) : (
          <LoadError error={organisation.error} onRetry={() => void organisation.refetch()} />
        )}
      </div>
    );
  }
  return <OrganisationView organisation={organisation.data} />;
}

function OrganisationView({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { abilities } = organisation;
  const canReview = abilities.approve || abilities.requestInfo || abilities.reject;

  return (
    <div className="page page--narrow">
      <PageHeading>{organisation.name}</PageHeading>
      <p className="orgs-badges">
        <TierBadge tier={organisation.tier} expired={organisation.tierExpired} />
        {organisation.status !== 'active' && <StatusBadge status={organisation.status} />}
      </p>
      <TierNotice organisation={organisation} />

      <h2>{t('orgs.organisation.verification')}</h2>
      <dl className="orgs-details">
        <dt>{t('orgs.fields.tier')}</dt>
        <dd>{organisation.tier ? t(`orgs.tiers.${organisation.tier}.name`) : t('orgs.tier.none')}</dd>
        <dt>{t('orgs.fields.lastVerified')}</dt>
        <dd>
          {organisation.verifiedAt
            ? format.date(organisation.verifiedAt)
            : t('orgs.organisation.neverVerified')}
        </dd>
        {organisation.tierExpiresAt && (
          <>
            <dt>{t(organisation.tierExpired ? 'orgs.fields.expiredOn' : 'orgs.fields.validUntil')}</dt>
            <dd>{format.date(organisation.tierExpiresAt)}</dd>
          </>
        )}
      </dl>
      {organisation.tier && <p className="muted">{t(`orgs.tiers.${organisation.tier}.description`)}</p>}

      <h2>{t('orgs.organisation.about')}</h2>
      <OrganisationDetails organisation={organisation} />

      {(abilities.viewMembers || abilities.viewAudit || canReview) && (
        <nav aria-label={t('orgs.organisation.linksLabel')}>
          <ul className="orgs-links">
            {abilities.viewMembers && (
              <li>
                <Link to={`/organisations/${organisation.id}/members`}>{t('orgs.organisation.members')}</Link>
              </li>
            )}
            {abilities.viewAudit && (
              <li>
                <Link to={`/organisations/${organisation.id}/audit`}>{t('orgs.organisation.audit')}</Link>
              </li>
            )}
            {canReview && (
              <li>
                <Link to={`/moderation/applications/${organisation.id}`}>
                  {t('orgs.organisation.review')}
                </Link>
              </li>
            )}
          </ul>
        </nav>
      )}
      <Administration organisation={organisation} />
    </div>
  );
}

/** The tier's expiry, said plainly when it matters: soon, or already. */
function TierNotice({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const validity = tierValidity(organisation);
  if (validity.state === 'expired') {
    return (
      <div className="notice orgs-notice--warning">
        <p>{t('orgs.organisation.expired', { date: validity.expiresAt })}</p>
      </div>
    );
  }
  if (validity.state === 'expiring') {
    return (
      <div className="notice orgs-notice--warning">
        <p>{t('orgs.organisation.expiring', { date: validity.expiresAt, days: validity.daysLeft })}</p>
      </div>
    );
  }
  return null;
}

type AdminAction = 'renew' | 'suspend' | 'reinstate';

/** Platform staff's actions on an organisation, each shown only when the server says it is possible. */
function Administration({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<AdminAction | null>(null);
  const { abilities } = organisation;
  const path = { params: { path: { id: organisation.id } } };

  const act = useFormMutation(
    async (variables: { action: AdminAction; tier?: Tier; reason?: string }) => {
      switch (variables.action) {
        case 'renew':
          return required(
            api.POST('/api/identity/organisations/{id}/renew', { ...path, body: { tier: variables.tier! } }),
          );
        case 'suspend':
          return required(
            api.POST('/api/identity/organisations/{id}/suspend', {
              ...path,
              body: { reason: variables.reason! },
            }),
          );
        case 'reinstate':
          return required(api.POST('/api/identity/organisations/{id}/reinstate', path));
      }
    },
    {
      fields: ['tier', 'reason'],
      byCode: { conflict: t('orgs.admin.conflict') },
      onSuccess: async (updated, variables) => {
        queryClient.setQueryData(orgKeys.organisation(updated.id), updated);
        setAction(null);
        toast.show(t(`orgs.admin.done.${variables.action}`, { name: updated.name }), { tone: 'success' });
        await queryClient.invalidateQueries({ queryKey: orgKeys.all });
      },
    },
  );

  if (!abilities.renew && !abilities.suspend && !abilities.reinstate) return null;

  const close = () => {
    act.clear();
    setAction(null);
  };

  const onConfirm = (data: FormData) => {
    if (action === 'renew') {
      const tier = textOf(data, 'tier');
      if (!isOneOf(TIERS, tier)) act.setErrors({ fieldErrors: { tier: t('orgs.review.tierRequired') } });
      else act.mutate({ action, tier });
    } else if (action === 'suspend') {
      const reason = textOf(data, 'reason');
      if (!reason) act.setErrors({ fieldErrors: { reason: t('orgs.admin.reasonRequired') } });
      else act.mutate({ action, reason });
    } else if (action === 'reinstate') {
      act.mutate({ action });
    }
  };

  return (
    <section className="orgs-section" aria-labelledby="organisation-admin">
      <h2 id="organisation-admin">{t('orgs.admin.title')}</h2>
      <div className="actions">
        {abilities.renew && (
          <Button variant="secondary" onClick={() => setAction('renew')}>
            {t('orgs.admin.renew')}
          </Button>
        )}
        {abilities.reinstate && (
          <Button onClick={() => setAction('reinstate')}>{t('orgs.admin.reinstate')}</Button>
        )}
        {abilities.suspend && (
          <Button variant="danger" onClick={() => setAction('suspend')}>
            {t('orgs.admin.suspend')}
          </Button>
        )}
      </div>
      <ActionDialog
        open={action !== null}
        onClose={close}
        title={action ? t(`orgs.admin.dialog.${action}.title`, { name: organisation.name }) : ''}
        confirmLabel={action ? t(`orgs.admin.dialog.${action}.confirm`) : ''}
        variant={action === 'suspend' ? 'danger' : 'primary'}
        busy={act.isPending}
        errors={act.errors}
        onConfirm={onConfirm}
      >
        {action && <p>{t(`orgs.admin.dialog.${action}.body`, { name: organisation.name })}</p>}
        {action === 'renew' && <TierChoice defaultValue={organisation.tier} />}
        {action === 'suspend' && (
          <TextAreaField
            name="reason"
            label={t('orgs.admin.reasonLabel')}
            hint={t('orgs.admin.reasonHint')}
            maxLength={4000}
            required
          />
        )}
      </ActionDialog>
    </section>
  );
}
