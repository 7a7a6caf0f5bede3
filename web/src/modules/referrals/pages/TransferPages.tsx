import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Button, Form, Loading, useToast } from '../../../ui';
import { activeMembershipOf, useMe } from '../../identity/auth/useMe';
import { StepUpCancelledError, useStepUp } from '../../identity/auth/useStepUp';
import { TextAreaField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { textOf } from '../../identity/organisations/form-data';
import { caseKeys, casePaths, fetchCaseFile } from '../../cases/api';
import { useCaseMutation } from '../../cases/mutation';
import {
  createTransfer,
  decideTransfer,
  fetchTransferRecord,
  newIdempotencyKey,
  referralKeys,
  useTransfer,
  type Transfer,
  type TransferRecord,
} from '../api';
import {
  OrganisationPicker,
  ReferralsFrame,
  TransferStateBadge,
  type PickedOrganisation,
} from '../components';
import { referralPaths } from '../paths';
import { SharedCaseView } from '../SharedCase';
import { NewPartnerDialog } from '../NewPartnerDialog';
import { SubjectThread } from '../Thread';
import { newPartnerOf, tierLabel, type PartnerTiers } from '../tiers';

/** Asks another organisation to take a case over (the survivor's Transfer consent must name it). */
export function NewTransferPage() {
  const { t } = useTranslation();
  return (
    <ReferralsFrame title={t('referrals.transfer.newTitle')} tabs={false}>
      {() => <NewTransfer />}
    </ReferralsFrame>
  );
}

function NewTransfer() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const caseId = params.get('caseId') ?? '';
  const file = useQuery({
    queryKey: caseKeys.file(caseId),
    queryFn: ({ signal }) => fetchCaseFile(caseId, false, signal),
    enabled: caseId !== '',
    staleTime: 60_000,
  });
  const [recipient, setRecipient] = useState<PickedOrganisation | null>(null);
  const [keepRecord, setKeepRecord] = useState(true);
  const [note, setNote] = useState('');
  const [tiers, setTiers] = useState<PartnerTiers | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const me = useMe();
  const myOrganisation = me.data ? (activeMembershipOf(me.data)?.organisation.name ?? '') : '';
  const save = useCaseMutation(
    (confirmed: boolean) =>
      createTransfer(
        {
          caseId,
          recipientOrganisationId: recipient?.id ?? '',
          keepRecord,
          ...(note.trim() !== '' ? { note: note.trim() } : {}),
          ...(confirmed ? { confirmNewPartner: true } : {}),
        },
        key,
      ),
    {
      fields: ['recipientOrganisationId', 'note', 'keepRecord', 'confirmNewPartner'],
      onSuccess: async (transfer) => {
        await queryClient.invalidateQueries({ queryKey: referralKeys.transfers });
        void navigate(referralPaths.transfer(transfer.id));
      },
    },
  );
  if (caseId === '') return <LoadError error={new Error('no case')} />;
  if (file.isPending) return <Loading />;
  if (file.isError) return <LoadError error={file.error} onRetry={() => void file.refetch()} />;
  const submit = (confirmed = false) => {
    if (!recipient) {
      save.setErrors({ fieldErrors: { recipientOrganisationId: t('referrals.new.errors.recipient') } });
      return;
    }
    save.mutate(confirmed, {
      onError: (error) => {
        setKey(newIdempotencyKey());
        // Two organisations that never worked together: the server names both tiers, as for a referral,
        // and the same dialog asks the sender to confirm.
        const partner = newPartnerOf(error);
        if (partner) {
          save.setErrors({ fieldErrors: {} });
          setTiers(partner);
        }
      },
    });
  };
  return (
    <Form
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={() => submit()}
      aria-label={t('referrals.transfer.newTitle')}
    >
      <p>
        {t('referrals.new.forCase')} <Link to={casePaths.file(caseId)}>{file.data.reference}</Link>
      </p>
      <p>{t('referrals.transfer.intro')}</p>
      <OrganisationPicker
        name="recipientOrganisationId"
        legend={t('referrals.transfer.recipient')}
        hint={t('referrals.transfer.recipientHint')}
        value={recipient}
        onChange={setRecipient}
      />
      <div className="orgs-choice">
        <input
          id="transfer-keep"
          type="checkbox"
          checked={keepRecord}
          onChange={(event) => setKeepRecord(event.target.checked)}
        />
        <label htmlFor="transfer-keep">{t('referrals.transfer.keepRecord')}</label>
      </div>
      <TextAreaField
        name="note"
        label={t('referrals.new.note')}
        hint={t('referrals.new.noteHint')}
        maxLength={5000}
        value={note}
        onChange={(event) => setNote(event.target.value)}
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('referrals.transfer.request')}
        </Button>
      </div>
      <NewPartnerDialog
        tiers={tiers}
        senderName={myOrganisation}
        recipientName={recipient?.name ?? ''}
        busy={save.isPending}
        onConfirm={() => submit(true)}
        onClose={() => setTiers(null)}
      />
    </Form>
  );
}

/** One transfer: where it stands, what the reader may do, the kept record and the messages. */
export function TransferPage() {
  const { t } = useTranslation();
  const { transferId = '' } = useParams();
  return (
    <ReferralsFrame title={t('referrals.transfer.title')} tabs={false}>
      {() => <TransferLoader key={transferId} transferId={transferId} />}
    </ReferralsFrame>
  );
}

function TransferLoader({ transferId }: { transferId: string }) {
  const transfer = useTransfer(transferId);
  if (transfer.isPending) return <Loading />;
  if (transfer.isError) return <LoadError error={transfer.error} onRetry={() => void transfer.refetch()} />;
  return <TransferView transfer={transfer.data} />;
}

function TransferView({ transfer }: { transfer: Transfer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const rows: [string, string][] = [
    [t('referrals.page.from'), `${transfer.sender.name} — ${tierLabel(t, transfer.sender.tier)}`],
    [t('referrals.page.to'), `${transfer.recipient.name} — ${tierLabel(t, transfer.recipient.tier)}`],
    [t('referrals.page.case'), transfer.senderReference],
    [t('referrals.list.requested'), format.dateTime(transfer.requestedAt)],
    [
      t('referrals.transfer.keepRecordShort'),
      transfer.keepRecord ? t('cases.fields.yes') : t('referrals.transfer.no'),
    ],
  ];
  if (transfer.note) rows.push([t('referrals.page.note'), transfer.note]);
  if (transfer.reason) rows.push([t('referrals.page.reason'), transfer.reason]);
  return (
    <>
      <section className="cases-header" aria-labelledby="transfer-overview">
        <h2 id="transfer-overview" className="visually-hidden">
          {t('referrals.page.overview')}
        </h2>
        <p>
          <TransferStateBadge state={transfer.state} />
        </p>
        <dl className="orgs-details cases-details">
          {rows.map(([label, value]) => (
            <div key={label} className="cases-details__row">
              <dt>{label}</dt>
              <dd className="orgs-break orgs-pre-line">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <TransferActions transfer={transfer} />
      <section className="cases-section" aria-labelledby="transfer-timeline">
        <h2 id="transfer-timeline">{t('referrals.page.timeline')}</h2>
        <ol className="referrals-timeline">
          {transfer.transitions.map((step, index) => (
            <li key={`${step.to}-${index}`}>
              <strong>{t(`referrals.transferStates.${step.to}`)}</strong> —{' '}
              <time dateTime={step.at}>{format.dateTime(step.at)}</time>
            </li>
          ))}
        </ol>
      </section>
      {transfer.abilities.viewRecord && <KeptRecord transferId={transfer.id} />}
      <SubjectThread subjectKind="transfer" subjectId={transfer.id} open={transfer.state === 'requested'} />
      {transfer.state === 'accepted' && (
        <p>
          <Link to={referralPaths.box('sent', 'transfers')}>{t('referrals.transfer.backToList')}</Link>
        </p>
      )}
    </>
  );
}

function TransferActions({ transfer }: { transfer: Transfer }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [withReason, setWithReason] = useState<'reject' | 'revoke' | null>(null);
  const act = useCaseMutation(
    ({ decision, reason }: { decision: 'accept' | 'reject' | 'revoke'; reason?: string }) =>
      decideTransfer(transfer.id, decision, reason),
    {
      fields: ['reason'],
      onSuccess: async (updated) => {
        setWithReason(null);
        queryClient.setQueryData(referralKeys.transfer(transfer.id), updated);
        await queryClient.invalidateQueries({ queryKey: referralKeys.transfers });
        toast.show(t('referrals.transfer.moved', { state: t(`referrals.transferStates.${updated.state}`) }), {
          tone: 'success',
        });
      },
    },
  );
  const { abilities } = transfer;
  if (!abilities.accept && !abilities.reject && !abilities.revoke) return null;
  return (
    <section className="cases-section" aria-labelledby="transfer-actions">
      <h2 id="transfer-actions">{t('referrals.page.actions')}</h2>
      {act.errors.formError && !withReason && (
        <p className="field__error" role="alert">
          {act.errors.formError}
        </p>
      )}
      <div className="actions">
        {abilities.accept && (
          <Button busy={act.isPending} onClick={() => act.mutate({ decision: 'accept' })}>
            {t('referrals.transfer.accept')}
          </Button>
        )}
        {abilities.reject && (
          <Button variant="danger" onClick={() => setWithReason('reject')}>
            {t('referrals.transfer.reject')}
          </Button>
        )}
        {abilities.revoke && (
          <Button variant="danger" onClick={() => setWithReason('revoke')}>
            {t('referrals.transfer.revoke')}
          </Button>
        )}
      </div>
      {withReason && (
        <Form
          errors={act.errors.fieldErrors}
          formError={act.errors.formError}
          aria-label={t(`referrals.transfer.${withReason}`)}
          onSubmit={(data) => {
            const reason = textOf(data, 'reason');
            if (reason === '') {
              act.setErrors({ fieldErrors: { reason: t('referrals.page.reasonRequired') } });
              return;
            }
            act.mutate({ decision: withReason, reason });
          }}
        >
          <TextAreaField
            name="reason"
            label={t('referrals.page.reason')}
            hint={t('referrals.page.reasonHint')}
            required
            maxLength={2000}
          />
          <div className="actions">
            <Button type="submit" variant="danger" busy={act.isPending}>
              {t('referrals.actions.confirm')}
            </Button>
            <Button variant="secondary" onClick={() => setWithReason(null)}>
              {t('cases.file.cancel')}
            </Button>
          </div>
        </Form>
      )}
    </section>
  );
}

/** The sender's kept record (case supervisors, after a passkey check); held in this component only. */
function KeptRecord({ transferId }: { transferId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const stepUp = useStepUp();
  const [record, setRecord] = useState<TransferRecord | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const open = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setRecord(await stepUp.guard(() => fetchTransferRecord(transferId)));
    } catch (failure) {
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="cases-section" aria-labelledby="transfer-record">
      <h2 id="transfer-record">{t('referrals.transfer.record')}</h2>
      <p>{t('referrals.transfer.recordIntro')}</p>
      {record ? (
        <>
          <p>
            {t('referrals.transfer.recordOf', {
              reference: record.record.reference,
              date: format.dateTime(record.record.heldUntil),
            })}
          </p>
          <SharedCaseView shared={record.record} />
          <Button variant="secondary" onClick={() => setRecord(null)}>
            {t('cases.file.hide')}
          </Button>
        </>
      ) : (
        <Button busy={busy} onClick={() => void open()}>
          {t('referrals.transfer.openRecord')}
        </Button>
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
