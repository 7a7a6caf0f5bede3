import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Button, Form, TextField, useToast } from '../../../ui';
import { useCaseMutation } from '../mutation';
import { caseKeys, casePaths, createCaseFile, newIdempotencyKey, type CaseCreate } from '../api';
import {
  checkNumbers,
  draftsDiffer,
  duplicateSelector,
  emptyDraft,
  localToday,
  toCreate,
  type CaseDraft,
} from '../case-form';
import { CasesFrame } from '../CasesFrame';
import { DuplicateWarning, useDuplicateCheck } from '../DuplicateWarning';
import { intakeFieldNames } from '../field-names';
import { useLeaveGuard } from '../LeaveGuard';
import {
  ContactFields,
  DocumentsFields,
  IdentityFields,
  NarrativeFields,
  ProfileFields,
  VictimFields,
} from '../sections';

/**
 * The intake: a new case file, section by section, saved as a draft or completed. The form lives only in
 * this page's memory (see useLeaveGuard for why it is never written to the browser's storage): a failed save
 * keeps everything on screen with the reason, and the same button tries again.
 */
export function IntakePage() {
  const { t } = useTranslation();
  return <CasesFrame title={t('cases.intake.title')}>{() => <Intake />}</CasesFrame>;
}

function Section({
  id,
  title,
  intro,
  children,
}: {
  id: string;
  title: string;
  intro?: string;
  children: ReactNode;
}) {
  return (
    <section className="cases-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {intro && <p className="muted">{intro}</p>}
      {children}
    </section>
  );
}

function Intake() {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [initial] = useState(() => emptyDraft(localToday()));
  const [draft, setDraft] = useState<CaseDraft>(initial);
  const [asDraft, setAsDraft] = useState(false);
  // One key per distinct submission: a retry of the same content after a dropped connection reuses it, so
  // the server can answer "already done" instead of opening the case twice; changed content gets a new key.
  const attempt = useRef<{ body: string; key: string } | null>(null);
  const dirty = draftsDiffer(draft, initial);
  const guard = useLeaveGuard(dirty);
  const duplicates = useDuplicateCheck(duplicateSelector(draft));

  const set =
    <K extends keyof CaseDraft>(key: K) =>
    (value: CaseDraft[K]) =>
      setDraft((current) => ({ ...current, [key]: value }));

  const save = useCaseMutation(
    ({ body, key }: { body: CaseCreate; key: string }) => createCaseFile(body, key),
    {
      fields: intakeFieldNames(draft),
      onSuccess: async (file) => {
        guard.release();
        toast.show(
          t(file.draft ? 'cases.intake.savedDraft' : 'cases.intake.saved', { reference: file.reference }),
          { tone: 'success' },
        );
        await queryClient.invalidateQueries({ queryKey: caseKeys.all });
        await navigate(casePaths.file(file.id));
      },
    },
  );

  const submit = (draftOnly: boolean) => {
    setAsDraft(draftOnly);
    const errors: Record<string, string> = {};
    for (const name of checkNumbers(draft)) errors[name] = t('cases.errors.wholeNumber');
    if (!draftOnly) {
      if (draft.profile.gender === '') errors['profile.gender'] = t('cases.errors.requiredToComplete');
      if (draft.victim.traffickingStatus === '')
        errors['victim.traffickingStatus'] = t('cases.errors.requiredToComplete');
    }
    if (Object.keys(errors).length > 0) {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    const body = toCreate(draft, draftOnly);
    const serialised = JSON.stringify(body);
    if (attempt.current?.body !== serialised)
      attempt.current = { body: serialised, key: newIdempotencyKey() };
    save.mutate({ body, key: attempt.current.key });
  };

  return (
    <>
      <p className="orgs-lead">{t('cases.intake.intro')}</p>
      <div className="notice" role="note">
        <p>{t('cases.intake.privacy')}</p>
      </div>
      <Form
        errors={save.errors.fieldErrors}
        formError={save.errors.formError}
        onSubmit={() => submit(false)}
        aria-labelledby="cases-intake-form"
      >
        <h2 id="cases-intake-form" className="visually-hidden">
          {t('cases.intake.formLabel')}
        </h2>
        <TextField
          type="date"
          name="openedOn"
          className="cases-short"
          label={t('cases.fields.openedOn')}
          hint={t('cases.fields.openedOnHint')}
          value={draft.openedOn}
          onChange={(event) => set('openedOn')(event.target.value)}
        />
        <Section
          id="cases-intake-identity"
          title={t('cases.sections.identity')}
          intro={t('cases.intake.identifying')}
        >
          <IdentityFields value={draft.identity} onChange={set('identity')} />
        </Section>
        <Section
          id="cases-intake-contact"
          title={t('cases.sections.contact')}
          intro={t('cases.intake.identifying')}
        >
          <ContactFields value={draft.contact} onChange={set('contact')} />
        </Section>
        <Section
          id="cases-intake-documents"
          title={t('cases.sections.documents')}
          intro={t('cases.intake.identifying')}
        >
          <DocumentsFields value={draft.documents} onChange={set('documents')} />
        </Section>
        <DuplicateWarning matches={duplicates.matches} failed={duplicates.failed} />
        <Section id="cases-intake-profile" title={t('cases.sections.profile')}>
          <ProfileFields value={draft.profile} onChange={set('profile')} />
        </Section>
        <Section id="cases-intake-victim" title={t('cases.sections.victim')}>
          <VictimFields value={draft.victim} onChange={set('victim')} />
        </Section>
        <Section
          id="cases-intake-narrative"
          title={t('cases.sections.narrative')}
          intro={t('cases.intake.identifying')}
        >
          <NarrativeFields value={draft.narrative} onChange={set('narrative')} />
        </Section>
        <div className="actions cases-intake__actions">
          <Button type="submit" busy={save.isPending && !asDraft}>
            {t('cases.intake.complete')}
          </Button>
          <Button variant="secondary" busy={save.isPending && asDraft} onClick={() => submit(true)}>
            {t('cases.intake.saveDraft')}
          </Button>
        </div>
        <p className="cases-status" aria-live="polite">
          {save.isPending ? t('cases.intake.saving') : ''}
        </p>
      </Form>
      {guard.dialog}
    </>
  );
}
