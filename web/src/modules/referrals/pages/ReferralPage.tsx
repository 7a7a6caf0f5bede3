import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Button, Form, Loading, useToast } from '../../../ui';
import { StepUpCancelledError, useStepUp } from '../../identity/auth/useStepUp';
import { SelectField, TextAreaField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { textOf } from '../../identity/organisations/form-data';
import { casePaths } from '../../cases/paths';
import { useCaseMutation } from '../../cases/mutation';
import {
  REFERRAL_OUTCOMES,
  fetchReferralCase,
  newIdempotencyKey,
  referralKeys,
  transitionReferral,
  useReferral,
  type Referral,
  type ReferralCase,
  type ReferralTransition,
} from '../api';
import { OrganisationLabel, ReferralStateBadge, ReferralsFrame, UrgencyBadge } from '../components';
import { SharedCaseView } from '../SharedCase';
import { SubjectThread } from '../Thread';
import { NewPartnerDialog } from '../NewPartnerDialog';
import { referralPaths } from '../paths';
import { newPartnerOf, type PartnerTiers } from '../tiers';

/** One referral: where it stands, its timeline, what the reader may do, the shared case and the messages. */
export function ReferralPage() {
  const { t } = useTranslation();
  const { referralId = '' } = useParams();
  return (
    <ReferralsFrame title={t('referrals.page.title')} tabs={false}>
      {() => <ReferralLoader key={referralId} referralId={referralId} />}
    </ReferralsFrame>
  );
}

function ReferralLoader({ referralId }: { referralId: string }) {
  const referral = useReferral(referralId);
  if (referral.isPending) return <Loading />;
  if (referral.isError) return <LoadError error={referral.error} onRetry={() => void referral.refetch()} />;
  const data = referral.data;
  return (
    <>
      <Overview referral={data} />
      <Actions referral={data} />
      <Timeline referral={data} />
      {data.side === 'recipient' && data.abilities.readCase && <SharedCase referralId={data.id} />}
      {data.state !== 'draft' && (
        <SubjectThread
          subjectKind="referral"
          subjectId={data.id}
          open={!['declined', 'completed', 'closed', 'cancelled'].includes(data.state)}
        />
      )}
    </>
  );
}

function Overview({ referral }: { referral: Referral }) {
  const { t } = useTranslation();
  const format = useFormat();
  const rows: [string, ReactNode][] = [
    [
      t('referrals.page.from'),
      <OrganisationLabel key="from" name={referral.sender.name} countries={referral.sender.countries} />,
    ],
    [
      t('referrals.page.to'),
      <OrganisationLabel key="to" name={referral.recipient.name} countries={referral.recipient.countries} />,
    ],
    [
      t('referrals.page.services'),
      referral.services.map((service) => t(`directory.vocabulary.services.${service}`)).join(', '),
    ],
    [
      t('referrals.page.sections'),
      referral.sections.map((section) => t(`cases.vocabulary.sections.${section}`)).join(', '),
    ],
  ];
  if (referral.caseId && referral.caseReference)
    rows.push([
      t('referrals.page.case'),
      <Link key="case" to={casePaths.file(referral.caseId)}>
        {referral.caseReference}
      </Link>,
    ]);
  if (referral.acknowledgeDueAt)
    rows.push([t('referrals.page.due'), format.dateTime(referral.acknowledgeDueAt)]);
  else
    rows.push([
      t('referrals.page.acknowledgeWithin'),
      t('referrals.page.hours', { count: referral.acknowledgeWithinHours }),
    ]);
  if (referral.note) rows.push([t('referrals.page.note'), referral.note]);
  if (referral.declineReason) rows.push([t('referrals.page.declineReason'), referral.declineReason]);
  if (referral.ended?.reason)
    rows.push([t(`referrals.page.endedBy.${referral.ended.by}`), referral.ended.reason]);
  if (referral.override?.reason) rows.push([t('referrals.page.overrideReason'), referral.override.reason]);
  return (
    <section className="cases-header" aria-labelledby="referral-overview">
      <h2 id="referral-overview" className="visually-hidden">
        {t('referrals.page.overview')}
      </h2>
      <p>
        <ReferralStateBadge state={referral.state} overdue={referral.overdue} />{' '}
        <UrgencyBadge urgency={referral.urgency} />
      </p>
      {referral.outcome && (
        <div className="notice" role="note">
          <p>
            <strong>{t('referrals.page.outcome')}</strong> {t(`referrals.outcomes.${referral.outcome}`)}
          </p>
          {referral.outcomeNote && <p className="orgs-pre-line">{referral.outcomeNote}</p>}
        </div>
      )}
      <dl className="orgs-details cases-details">
        {rows.map(([label, value]) => (
          <div key={label} className="cases-details__row">
            <dt>{label}</dt>
            <dd className="orgs-break orgs-pre-line">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Timeline({ referral }: { referral: Referral }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="cases-section" aria-labelledby="referral-timeline">
      <h2 id="referral-timeline">{t('referrals.page.timeline')}</h2>
      <ol className="referrals-timeline">
        {referral.timeline.map((step, index) => (
          <li key={`${step.to}-${index}`}>
            <strong>{t(`referrals.states.${step.to}`)}</strong> —{' '}
            <time dateTime={step.at}>{format.dateTime(step.at)}</time>
            {' — '}
            {t('referrals.page.stepBy', {
              organisation: step.side === 'sender' ? referral.sender.name : referral.recipient.name,
              name: step.person?.name ?? '',
            })}
          </li>
        ))}
      </ol>
    </section>
  );
}

type ReasonStep = 'declined' | 'closed' | 'cancelled';

function Actions({ referral }: { referral: Referral }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [reasonStep, setReasonStep] = useState<ReasonStep | null>(null);
  const [completing, setCompleting] = useState(false);
  const [tiers, setTiers] = useState<PartnerTiers | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const abilities = referral.abilities;

  const step = useCaseMutation(
    (body: Omit<ReferralTransition, 'version'>) =>
      transitionReferral(referral.id, { ...body, version: referral.version }, key),
    {
      fields: ['reason', 'outcome', 'outcomeNote'],
      byCode: { conflict: t('referrals.page.stale') },
      onSuccess: async (updated) => {
        setKey(newIdempotencyKey());
        setReasonStep(null);
        setCompleting(false);
        setTiers(null);
        queryClient.setQueryData(referralKeys.one(referral.id), updated);
        await queryClient.invalidateQueries({ queryKey: referralKeys.all });
        toast.show(t('referrals.page.moved', { state: t(`referrals.states.${updated.state}`) }), {
          tone: 'success',
        });
      },
    },
  );

  const take = (body: Omit<ReferralTransition, 'version'>) =>
    step.mutate(body, {
      onError: (error) => {
        const partner = newPartnerOf(error);
        if (partner) {
          step.setErrors({ fieldErrors: {} });
          setTiers(partner);
        } else setKey(newIdempotencyKey());
      },
    });

  const simple: { to: ReferralTransition['to']; allowed: boolean; label: string }[] = [
    { to: 'sent', allowed: abilities.send, label: t('referrals.actions.send') },
    { to: 'acknowledged', allowed: abilities.acknowledge, label: t('referrals.actions.acknowledge') },
    { to: 'accepted', allowed: abilities.accept, label: t('referrals.actions.accept') },
    { to: 'in_progress', allowed: abilities.start, label: t('referrals.actions.start') },
  ];
  const withReason: { to: ReasonStep; allowed: boolean; label: string }[] = [
    { to: 'declined', allowed: abilities.decline, label: t('referrals.actions.decline') },
    { to: 'closed', allowed: abilities.close, label: t('referrals.actions.close') },
    // A draft is discarded without a reason; anything sent needs one (the server says which).
    {
      to: 'cancelled',
      allowed: abilities.cancel && referral.state !== 'draft',
      label: t('referrals.actions.cancel'),
    },
  ];
  const any =
    simple.some((a) => a.allowed) ||
    withReason.some((a) => a.allowed) ||
    abilities.complete ||
    abilities.cancel ||
    abilities.edit;
  if (!any) return null;

  return (
    <section className="cases-section" aria-labelledby="referral-actions">
      <h2 id="referral-actions">{t('referrals.page.actions')}</h2>
      {step.errors.formError && !reasonStep && !completing && (
        <p className="field__error" role="alert">
          {step.errors.formError}
        </p>
      )}
      <div className="actions">
        {abilities.edit && (
          <Link className="button button--secondary" to={referralPaths.editReferral(referral.id)}>
            {t('referrals.actions.edit')}
          </Link>
        )}
        {simple
          .filter((action) => action.allowed)
          .map((action) => (
            <Button key={action.to} busy={step.isPending} onClick={() => take({ to: action.to })}>
              {action.label}
            </Button>
          ))}
        {abilities.complete && (
          <Button variant="secondary" onClick={() => setCompleting(true)}>
            {t('referrals.actions.complete')}
          </Button>
        )}
        {withReason
          .filter((action) => action.allowed)
          .map((action) => (
            <Button
              key={action.to}
              variant={action.to === 'closed' ? 'secondary' : 'danger'}
              onClick={() => setReasonStep(action.to)}
            >
              {action.label}
            </Button>
          ))}
        {abilities.cancel && referral.state === 'draft' && (
          <Button variant="danger" busy={step.isPending} onClick={() => take({ to: 'cancelled' })}>
            {t('referrals.actions.discard')}
          </Button>
        )}
      </div>
      {reasonStep && (
        <ReasonForm
          step={reasonStep}
          busy={step.isPending}
          errors={step.errors}
          onCancel={() => setReasonStep(null)}
          onSubmit={(reason) => take({ to: reasonStep, reason })}
        />
      )}
      {completing && (
        <CompleteForm
          busy={step.isPending}
          errors={step.errors}
          onCancel={() => setCompleting(false)}
          onSubmit={(outcome, outcomeNote) => take({ to: 'completed', outcome, outcomeNote })}
        />
      )}
      <NewPartnerDialog
        tiers={tiers}
        senderName={referral.sender.name}
        recipientName={referral.recipient.name}
        busy={step.isPending}
        onConfirm={() => take({ to: 'sent', confirmNewPartner: true })}
        onClose={() => setTiers(null)}
      />
    </section>
  );
}

function ReasonForm({
  step,
  busy,
  errors,
  onCancel,
  onSubmit,
}: {
  step: ReasonStep;
  busy: boolean;
  errors: { fieldErrors: Record<string, string>; formError?: string };
  onCancel: () => void;
  onSubmit: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const [local, setLocal] = useState<string | undefined>();
  return (
    <Form
      errors={local ? { reason: local } : errors.fieldErrors}
      formError={errors.formError}
      aria-labelledby={headingId}
      onSubmit={(data) => {
        const reason = textOf(data, 'reason');
        if (reason === '') {
          setLocal(t('referrals.page.reasonRequired'));
          return;
        }
        setLocal(undefined);
        onSubmit(reason);
      }}
    >
      <h3 id={headingId}>
        {t(`referrals.actions.${step === 'declined' ? 'decline' : step === 'closed' ? 'close' : 'cancel'}`)}
      </h3>
      <TextAreaField
        name="reason"
        label={t('referrals.page.reason')}
        hint={t('referrals.page.reasonHint')}
        required
        maxLength={2000}
      />
      <div className="actions">
        <Button type="submit" variant="danger" busy={busy}>
          {t('referrals.actions.confirm')}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          {t('cases.file.cancel')}
        </Button>
      </div>
    </Form>
  );
}

function CompleteForm({
  busy,
  errors,
  onCancel,
  onSubmit,
}: {
  busy: boolean;
  errors: { fieldErrors: Record<string, string>; formError?: string };
  onCancel: () => void;
  onSubmit: (outcome: Referral['outcome'] & string, note: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const [local, setLocal] = useState<string | undefined>();
  return (
    <Form
      errors={local ? { outcome: local } : errors.fieldErrors}
      formError={errors.formError}
      aria-labelledby={headingId}
      onSubmit={(data) => {
        const outcome = textOf(data, 'outcome');
        const found = REFERRAL_OUTCOMES.find((value) => value === outcome);
        if (!found) {
          setLocal(t('referrals.page.outcomeRequired'));
          return;
        }
        setLocal(undefined);
        const note = textOf(data, 'outcomeNote');
        onSubmit(found, note === '' ? undefined : note);
      }}
    >
      <h3 id={headingId}>{t('referrals.actions.complete')}</h3>
      <SelectField
        name="outcome"
        label={t('referrals.page.outcome')}
        required
        placeholder={t('cases.fields.choose')}
        options={REFERRAL_OUTCOMES.map((value) => ({ value, label: t(`referrals.outcomes.${value}`) }))}
      />
      <TextAreaField
        name="outcomeNote"
        label={t('referrals.page.outcomeNote')}
        hint={t('referrals.page.outcomeNoteHint')}
        maxLength={5000}
      />
      <div className="actions">
        <Button type="submit" busy={busy}>
          {t('referrals.actions.complete')}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          {t('cases.file.cancel')}
        </Button>
      </div>
    </Form>
  );
}

/**
 * The shared sections of the case, read live from the owner. SECURITY: the identifying ones only after a
 * passkey check, held in this component's state (never the shared cache) and gone when the page closes.
 */
function SharedCase({ referralId }: { referralId: string }) {
  const { t } = useTranslation();
  const stepUp = useStepUp();
  const [shared, setShared] = useState<ReferralCase | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const load = async (reveal: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setShared(
        reveal
          ? await stepUp.guard(() => fetchReferralCase(referralId, true))
          : await fetchReferralCase(referralId, false),
      );
    } catch (failure) {
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="cases-section" aria-labelledby="referral-case">
      <h2 id="referral-case">{t('referrals.shared.heading')}</h2>
      <p>{t('referrals.shared.intro')}</p>
      {!shared ? (
        <Button variant="secondary" busy={busy} onClick={() => void load(false)}>
          {t('referrals.shared.open')}
        </Button>
      ) : (
        <>
          <SharedCaseView shared={shared} />
          {shared.needsReveal.length > 0 && !shared.revealed && (
            <Button busy={busy} onClick={() => void load(true)}>
              {t('cases.file.reveal')}
            </Button>
          )}
          <Button variant="secondary" onClick={() => setShared(null)}>
            {t('cases.file.hide')}
          </Button>
        </>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {stepUp.dialog}
    </section>
  );
}
