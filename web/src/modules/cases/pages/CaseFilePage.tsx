import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Button, Form, Loading, useToast } from '../../../ui';
import { authPaths } from '../../identity/auth/navigation';
import { useMe } from '../../identity/auth/useMe';
import { StepUpCancelledError, useStepUp } from '../../identity/auth/useStepUp';
import { TextAreaField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { textOf } from '../../identity/organisations/form-data';
import { useCaseMutation } from '../mutation';
import { breakGlass, caseKeys, casePaths, fetchCaseFile, updateCaseFile } from '../api';
import { CasesFrame } from '../CasesFrame';
import { CaseBadges, type CaseRoles } from '../components';
import { AttachmentsSection } from '../file/Attachments';
import { ConsentsSection } from '../file/Consents';
import { EditableSection } from '../file/EditableSection';
import { EntriesSection } from '../file/Entries';
import { CaseFileProvider, isNotFound, useCaseFileQuery, useCaseFileState } from '../file/useCaseFile';
import {
  ContactView,
  DocumentsView,
  IdentityView,
  NarrativeView,
  ProfileView,
  VictimView,
} from '../file/views';
import { ClosureSection, StaffSection } from '../file/Workflow';
import { CaseReferrals } from '../../referrals/CaseReferrals';
import { useCaseFormat } from '../format';
import {
  ContactFields,
  DocumentsFields,
  IdentityFields,
  NarrativeFields,
  ProfileFields,
  VictimFields,
} from '../sections';

/** The shortest break-glass reason the server accepts. */
const BREAK_GLASS_MIN_REASON = 20;

/**
 * A case file: its header and non-identifying sections at once; the identifying sections after "Show
 * identifying details" (a passkey check when the server asks); entries, consents, staff and closure.
 */
export function CaseFilePage() {
  const { t } = useTranslation();
  const { caseId = '' } = useParams();
  // Reads what the loader below fetched (never fetches itself), so the page's heading can name the case.
  const cached = useQuery({
    queryKey: caseKeys.file(caseId),
    queryFn: () => fetchCaseFile(caseId, false),
    enabled: false,
  });
  const title = cached.data
    ? t('cases.file.reference', { reference: cached.data.reference })
    : t('cases.file.title');
  return (
    <CasesFrame title={title} tabs={false}>
      {(roles) => <CaseFileLoader key={caseId} caseId={caseId} roles={roles} />}
    </CasesFrame>
  );
}

function CaseFileLoader({ caseId, roles }: { caseId: string; roles: CaseRoles }) {
  const summary = useCaseFileQuery(caseId);
  if (summary.isPending) return <Loading />;
  if (summary.isError) {
    if (isNotFound(summary.error)) return <CaseNotFound caseId={caseId} supervisor={roles.supervisor} />;
    return <LoadError error={summary.error} onRetry={() => void summary.refetch()} />;
  }
  return (
    <CaseFileProvider caseId={caseId} summary={summary.data}>
      <CaseFileView />
    </CaseFileProvider>
  );
}

function CaseFileView() {
  const { t } = useTranslation();
  const { file } = useCaseFileState();
  return (
    <>
      <CaseHeader />
      <IdentifyingDetails />
      <EditableSection
        section="profile"
        title={t('cases.sections.profile')}
        level={2}
        view={<ProfileView profile={file.profile} />}
        fields={(draft, setDraft) => (
          <ProfileFields value={draft.profile} onChange={(profile) => setDraft({ ...draft, profile })} />
        )}
      />
      <EditableSection
        section="victim"
        title={t('cases.sections.victim')}
        level={2}
        view={<VictimView victim={file.victim} />}
        fields={(draft, setDraft) => (
          <VictimFields value={draft.victim} onChange={(victim) => setDraft({ ...draft, victim })} />
        )}
      />
      <EntriesSection kind="perpetrator" />
      <EntriesSection kind="event" />
      <EntriesSection kind="supportPlan" />
      <EntriesSection kind="followUp" />
      <ConsentsSection />
      <EntriesSection kind="comment" />
      <AttachmentsSection />
      <StaffSection />
      <ClosureSection />
    </>
  );
}

function CaseHeader() {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const toast = useToast();
  const state = useCaseFileState();
  const { file } = state;
  const [completing, setCompleting] = useState(false);
  const [completeError, setCompleteError] = useState<string | undefined>();

  // A draft intake is completed here once its profile and victim context hold what HTCDS needs.
  const complete = async () => {
    setCompleting(true);
    setCompleteError(undefined);
    try {
      const saved = await updateCaseFile(state.caseId, { version: file.version, draft: false });
      await state.apply(saved);
      toast.show(t('cases.file.completed', { reference: saved.reference }), { tone: 'success' });
    } catch (error) {
      setCompleteError(messageOf(error, t, { conflict: t('cases.file.conflict') }));
    } finally {
      setCompleting(false);
    }
  };

  return (
    <section className="cases-header" aria-labelledby="cases-header-title">
      <h2 id="cases-header-title" className="visually-hidden">
        {t('cases.file.overview')}
      </h2>
      <CaseBadges
        status={file.status}
        draft={file.draft}
        restricted={file.restricted}
        closurePending={file.closureRequest !== null}
      />
      {file.access.via === 'break_glass' && (
        <div className="notice orgs-notice--warning cases-banner" role="note">
          <p>
            <strong>{t('cases.file.breakGlassTitle')}</strong>{' '}
            {t('cases.file.breakGlassUntil', {
              time: format.dateTime(file.access.until ?? new Date().toISOString()),
            })}
          </p>
          <p>{t('cases.file.breakGlassReadOnly')}</p>
        </div>
      )}
      <dl className="orgs-details cases-details">
        <div className="cases-details__row">
          <dt>{t('cases.file.openedOn')}</dt>
          <dd>{format.day(file.openedOn)}</dd>
        </div>
        <div className="cases-details__row">
          <dt>{t('cases.staff.assignees')}</dt>
          <dd>{file.assignees.map((person) => person.name).join(', ') || t('cases.table.nobody')}</dd>
        </div>
        <div className="cases-details__row">
          <dt>{t('cases.file.updatedAt')}</dt>
          <dd>{format.dateTime(file.updatedAt)}</dd>
        </div>
      </dl>
      {file.possibleDuplicates > 0 && (
        <div className="notice orgs-notice--warning" role="note">
          <p>{t('cases.file.possibleDuplicates', { count: file.possibleDuplicates })}</p>
        </div>
      )}
      {file.draft && file.abilities.update && (
        <div className="notice" role="note">
          <p>{t('cases.file.draftNotice')}</p>
          <Button busy={completing} onClick={() => void complete()}>
            {t('cases.file.complete')}
          </Button>
          {completeError && (
            <p className="field__error" role="alert">
              {completeError}
            </p>
          )}
        </div>
      )}
      {file.abilities.viewAccessHistory && (
        <p>
          <Link to={casePaths.history(state.caseId)}>{t('cases.file.historyLink')}</Link>
        </p>
      )}
      {/* Referrals and transfers (web/src/modules/referrals): the server decides what each may do. */}
      {!file.draft && <CaseReferrals caseId={state.caseId} canStart={file.abilities.update} />}
    </section>
  );
}

/**
 * The identifying sections. SECURITY: they are fetched only on request, after the server's passkey check,
 * and shown until hidden or until the page closes; the list views never carry them.
 */
function IdentifyingDetails() {
  const { t } = useTranslation();
  const me = useMe();
  const state = useCaseFileState();
  const { file, revealed } = state;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const noPasskey = me.data?.factors.passkeys === 0;

  const show = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await state.reveal();
      requestAnimationFrame(() => document.getElementById('cases-identifying')?.focus());
    } catch (failure) {
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="cases-section cases-identifying" aria-labelledby="cases-identifying">
      <div className="cases-section__header">
        <h2 id="cases-identifying" tabIndex={-1}>
          {t('cases.file.identifyingHeading')}
        </h2>
        {revealed && (
          <Button variant="secondary" onClick={state.hide}>
            {t('cases.file.hide')}
          </Button>
        )}
      </div>
      {/* Announced when the details appear or are hidden, including when Cairn hides them itself. */}
      <p className="cases-status" aria-live="polite">
        {revealed
          ? t('cases.file.shown')
          : state.hiddenBecause === 'stepUpExpired'
            ? t('cases.file.hiddenExpired')
            : ''}
      </p>
      {!revealed ? (
        <>
          <p>{t('cases.file.identifyingHidden')}</p>
          {file.abilities.reveal && noPasskey && (
            <div className="notice" role="note">
              <p>{t('cases.file.needPasskey')}</p>
              <p>
                <Link to={`${authPaths.enrol}?next=${encodeURIComponent(casePaths.file(state.caseId))}`}>
                  {t('cases.file.addPasskey')}
                </Link>
              </p>
            </div>
          )}
          {file.abilities.reveal && (
            <Button busy={busy} onClick={() => void show()}>
              {t('cases.file.reveal')}
            </Button>
          )}
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
        </>
      ) : (
        <>
          <EditableSection
            section="identity"
            title={t('cases.sections.identity')}
            level={3}
            view={file.identity ? <IdentityView identity={file.identity} /> : <Nothing />}
            fields={(draft, setDraft) => (
              <IdentityFields
                value={draft.identity}
                onChange={(identity) => setDraft({ ...draft, identity })}
              />
            )}
          />
          <EditableSection
            section="contact"
            title={t('cases.sections.contact')}
            level={3}
            view={file.contact ? <ContactView contact={file.contact} /> : <Nothing />}
            fields={(draft, setDraft) => (
              <ContactFields value={draft.contact} onChange={(contact) => setDraft({ ...draft, contact })} />
            )}
          />
          <EditableSection
            section="documents"
            title={t('cases.sections.documents')}
            level={3}
            view={file.documents ? <DocumentsView documents={file.documents} /> : <Nothing />}
            fields={(draft, setDraft) => (
              <DocumentsFields
                value={draft.documents}
                onChange={(documents) => setDraft({ ...draft, documents })}
              />
            )}
          />
          <EditableSection
            section="narrative"
            title={t('cases.sections.narrative')}
            level={3}
            view={file.narrative ? <NarrativeView narrative={file.narrative} /> : <Nothing />}
            fields={(draft, setDraft) => (
              <NarrativeFields
                value={draft.narrative}
                onChange={(narrative) => setDraft({ ...draft, narrative })}
              />
            )}
          />
        </>
      )}
    </section>
  );
}

function Nothing() {
  const { t } = useTranslation();
  return <p className="muted">{t('cases.file.nothingRecorded')}</p>;
}

/**
 * A case that does not exist for the reader. The server does not say whether it exists: a restricted case
 * looks the same as none. A supervisor may still open it for an hour with break-glass — a written reason and
 * a passkey check, an alert to the organisation's admins, and a full audit.
 */
function CaseNotFound({ caseId, supervisor }: { caseId: string; supervisor: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const open = useCaseMutation((reason: string) => stepUp.guard(() => breakGlass(caseId, reason)), {
    fields: ['reason'],
    byCode: { not_found: t('cases.breakGlass.noCase'), forbidden: t('cases.breakGlass.notNeeded') },
    onSuccess: async () => {
      await queryClient.resetQueries({ queryKey: caseKeys.file(caseId) });
    },
  });
  const submit = (data: FormData) => {
    const reason = textOf(data, 'reason');
    if (reason.length < BREAK_GLASS_MIN_REASON) {
      open.setErrors({
        fieldErrors: { reason: t('cases.breakGlass.reasonTooShort', { min: BREAK_GLASS_MIN_REASON }) },
      });
      return;
    }
    open.mutate(reason, {
      onError: (error) => {
        if (error instanceof StepUpCancelledError)
          open.setErrors({ fieldErrors: {}, formError: t('cases.file.stepUpCancelled') });
      },
    });
  };
  return (
    <>
      <div className="notice notice--error" role="alert">
        <p>{t('cases.file.notFound')}</p>
        <p>
          <Link to={casePaths.dashboard}>{t('cases.file.backToCases')}</Link>
        </p>
      </div>
      {supervisor && (
        <section className="cases-section" aria-labelledby="cases-break-glass">
          <h2 id="cases-break-glass">{t('cases.breakGlass.heading')}</h2>
          <p>{t('cases.breakGlass.intro')}</p>
          <Form
            errors={open.errors.fieldErrors}
            formError={open.errors.formError}
            onSubmit={submit}
            aria-labelledby="cases-break-glass"
          >
            <TextAreaField
              name="reason"
              label={t('cases.breakGlass.reason')}
              hint={t('cases.breakGlass.reasonHint', { min: BREAK_GLASS_MIN_REASON })}
              required
              minLength={BREAK_GLASS_MIN_REASON}
            />
            <div className="actions">
              <Button type="submit" variant="danger" busy={open.isPending}>
                {t('cases.breakGlass.submit')}
              </Button>
            </div>
          </Form>
          {stepUp.dialog}
        </section>
      )}
    </>
  );
}
