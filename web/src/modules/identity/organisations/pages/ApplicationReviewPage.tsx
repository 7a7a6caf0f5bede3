import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../../../api/client';
import { Button, Loading, PageHeading, useToast } from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { orgKeys, type Organisation, type Tier } from '../api';
import { ActionDialog } from '../components/ActionDialog';
import { StatusBadge } from '../components/badges';
import { TextAreaField } from '../components/fields';
import { TierChoice } from '../components/TierChoice';
import { LoadError } from '../components/notices';
import { OrganisationDetails } from '../components/OrganisationDetails';
import { textOf } from '../form-data';
import { moveBetweenQueues, required, useFormMutation, useOrganisation } from '../queries';
import { TIERS, isOneOf } from '../vocabulary';
import '../organisations.css';

type Decision = 'approve' | 'requestInfo' | 'reject';

/** One application, as a moderator reviews it: what the organisation said, and the three decisions. */
export function ApplicationReviewPage() {
  return (
    <RequireSignIn>
      <ReviewLoader />
    </RequireSignIn>
  );
}

function ReviewLoader() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const organisation = useOrganisation(id);

  return (
    <div className="page page--narrow">
      <p className="orgs-back">
        <Link to="/moderation">{t('orgs.review.back')}</Link>
      </p>
      {organisation.isPending ? (
        <>
          <PageHeading>{t('orgs.review.title')}</PageHeading>
          <Loading />
        </>
      ) : organisation.isError ? (
        <>
          <PageHeading>{t('orgs.review.title')}</PageHeading>
          <LoadError error={organisation.error} onRetry={() => void organisation.refetch()} />
        </>
      ) : (
        <Review organisation={organisation.data} />
      )}
    </div>
  );
}

function Review({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const [decision, setDecision] = useState<Decision | null>(null);
  const review = organisation.review;
  const { abilities } = organisation;
  const canDecide = abilities.approve || abilities.requestInfo || abilities.reject;

  return (
    <>
      <PageHeading>{organisation.name}</PageHeading>
      <p>
        <StatusBadge status={organisation.status} />
      </p>
      <OrganisationDetails organisation={organisation} />
      {review && (
        <>
          <h2>{t('orgs.review.referee')}</h2>
          <p className="orgs-pre-line">{review.referee}</p>
          <h2>{t('orgs.review.applicant')}</h2>
          <p>
            {review.applicant
              ? t('orgs.review.applicantIs', {
                  name: review.applicant.displayName,
                  email: review.applicant.email,
                })
              : t('orgs.review.applicantGone')}
          </p>
          {review.latestNote && (
            <div
              className={`orgs-message ${review.latestNote.by === 'applicant' ? '' : 'orgs-message--question'}`}
            >
              <h2 className="orgs-message__title">
                {t(
                  review.latestNote.by === 'applicant'
                    ? 'orgs.review.applicantAnswer'
                    : 'orgs.review.moderatorNote',
                )}
              </h2>
              <p className="orgs-message__text">{review.latestNote.text}</p>
            </div>
          )}
        </>
      )}
      {canDecide ? (
        <section aria-labelledby="review-decision" className="orgs-section">
          <h2 id="review-decision">{t('orgs.review.decision')}</h2>
          <div className="actions">
            {abilities.approve && (
              <Button onClick={() => setDecision('approve')}>{t('orgs.review.approve')}</Button>
            )}
            {abilities.requestInfo && (
              <Button variant="secondary" onClick={() => setDecision('requestInfo')}>
                {t('orgs.review.requestInfo')}
              </Button>
            )}
            {abilities.reject && (
              <Button variant="danger" onClick={() => setDecision('reject')}>
                {t('orgs.review.reject')}
              </Button>
            )}
          </div>
        </section>
      ) : (
        organisation.status === 'info_requested' && (
          <p className="notice">{t('orgs.review.waitingForApplicant')}</p>
        )
      )}
      <DecisionDialog organisation={organisation} decision={decision} onClose={() => setDecision(null)} />
    </>
  );
}

function DecisionDialog({
  organisation,
  decision,
  onClose,
}: {
  organisation: Organisation;
  decision: Decision | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const path = { params: { path: { id: organisation.id } } };

  const act = useFormMutation(
    async (variables: { decision: Decision; tier?: Tier; text?: string }) => {
      switch (variables.decision) {
        case 'approve':
          return required(
            api.POST('/api/identity/organisations/{id}/approve', {
              ...path,
              body: { tier: variables.tier! },
            }),
          );
        case 'requestInfo':
          return required(
            api.POST('/api/identity/organisations/{id}/request-info', {
              ...path,
              body: { message: variables.text! },
            }),
          );
        case 'reject':
          return required(
            api.POST('/api/identity/organisations/{id}/reject', {
              ...path,
              body: { reason: variables.text! },
            }),
          );
      }
    },
    {
      fields: ['tier', 'message', 'reason'],
      byCode: { conflict: t('orgs.review.conflict') },
      onSuccess: async (updated, variables) => {
        queryClient.setQueryData(orgKeys.organisation(updated.id), updated);
        // The queue shown next must not list the decided application while it reloads in the background.
        moveBetweenQueues(queryClient, updated);
        void queryClient.invalidateQueries({ queryKey: orgKeys.all });
        toast.show(t(`orgs.review.done.${variables.decision}`, { name: updated.name }), { tone: 'success' });
        onClose();
        await navigate('/moderation');
      },
    },
  );

  const close = () => {
    act.clear();
    onClose();
  };

  const onConfirm = (data: FormData) => {
    if (decision === 'approve') {
      const tier = textOf(data, 'tier');
      if (!isOneOf(TIERS, tier)) act.setErrors({ fieldErrors: { tier: t('orgs.review.tierRequired') } });
      else act.mutate({ decision, tier });
    } else if (decision) {
      const field = decision === 'reject' ? 'reason' : 'message';
      const text = textOf(data, field);
      if (!text) act.setErrors({ fieldErrors: { [field]: t(`orgs.review.${field}Required`) } });
      else act.mutate({ decision, text });
    }
  };

  return (
    <ActionDialog
      open={decision !== null}
      onClose={close}
      title={decision ? t(`orgs.review.dialog.${decision}.title`, { name: organisation.name }) : ''}
      confirmLabel={decision ? t(`orgs.review.dialog.${decision}.confirm`) : ''}
      variant={decision === 'reject' ? 'danger' : 'primary'}
      busy={act.isPending}
      errors={act.errors}
      onConfirm={onConfirm}
    >
      {decision && <p>{t(`orgs.review.dialog.${decision}.body`, { name: organisation.name })}</p>}
      {decision === 'approve' && <TierChoice />}
      {decision === 'requestInfo' && (
        <TextAreaField
          name="message"
          label={t('orgs.review.messageLabel')}
          hint={t('orgs.review.messageHint')}
          maxLength={4000}
          required
        />
      )}
      {decision === 'reject' && (
        <TextAreaField
          name="reason"
          label={t('orgs.review.reasonLabel')}
          hint={t('orgs.review.reasonHint')}
          maxLength={4000}
          required
        />
      )}
    </ActionDialog>
  );
}
