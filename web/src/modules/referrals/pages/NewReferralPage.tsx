import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Button, Form, Loading, TextField } from '../../../ui';
import { useMe, activeMembershipOf } from '../../identity/auth/useMe';
import {
  FieldText,
  RequiredMark,
  SelectField,
  TextAreaField,
  fieldClass,
  useFieldFrame,
} from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { CheckboxGroup } from '../../directory/profile/editor/CheckboxGroup';
import { useSupportRequest } from '../../directory/support/api';
import { SERVICES } from '../../directory/vocabulary';
import { caseKeys, casePaths, fetchCaseFile, useCaseList, type CaseFile } from '../../cases/api';
import { useCaseMutation } from '../../cases/mutation';
import { CASE_SECTIONS } from '../../cases/vocabulary';
import {
  DEFAULT_ACKNOWLEDGE_HOURS,
  MAX_ACKNOWLEDGE_HOURS,
  MIN_ACKNOWLEDGE_HOURS,
  REFERRAL_URGENCIES,
  createReferral,
  newIdempotencyKey,
  referralKeys,
  transitionReferral,
  updateReferral,
  useReferral,
  type CaseSection,
  type Referral,
  type ReferralCreate,
  type ReferralService,
  type ReferralUpdate,
  type ReferralUrgency,
} from '../api';
import { OrganisationPicker, ReferralsFrame, type PickedOrganisation } from '../components';
import { coveredSections } from '../consent';
import { NewPartnerDialog } from '../NewPartnerDialog';
import { referralPaths } from '../paths';
import type { ReferralRoles } from '../roles';
import { newPartnerOf, type PartnerTiers } from '../tiers';

/** Refers a case: from its case file (`caseId`), or from an accepted support request (`supportRequestId`). */
export function NewReferralPage() {
  const { t } = useTranslation();
  return (
    <ReferralsFrame title={t('referrals.new.title')} tabs={false}>
      {(roles) => <NewReferral roles={roles} />}
    </ReferralsFrame>
  );
}

function NewReferral({ roles }: { roles: ReferralRoles }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const supportRequestId = params.get('supportRequestId') ?? undefined;
  const [caseId, setCaseId] = useState(params.get('caseId') ?? '');
  const request = useSupportRequest(supportRequestId ?? '');
  if (supportRequestId && request.isPending) return <Loading />;
  if (supportRequestId && request.isError)
    return <LoadError error={request.error} onRetry={() => void request.refetch()} />;
  const accepted = supportRequestId ? request.data?.acceptedBy : undefined;
  if (supportRequestId && !accepted)
    return (
      <div className="notice" role="alert">
        <p>{t('referrals.new.requestNotAccepted')}</p>
      </div>
    );
  return (
    <>
      {supportRequestId && <p>{t('referrals.new.fromRequest', { name: accepted?.name ?? '' })}</p>}
      {!params.get('caseId') && <CaseChooser value={caseId} onChange={setCaseId} />}
      {caseId && (
        <CaseLoader
          key={caseId}
          caseId={caseId}
          roles={roles}
          supportRequestId={supportRequestId}
          fixedRecipient={
            accepted ? { id: accepted.organisationId, name: accepted.name, countries: [] } : null
          }
        />
      )}
    </>
  );
}

/** Edits a draft referral with the same form (the server checks consent again, and the state). */
export function EditReferralPage() {
  const { t } = useTranslation();
  const { referralId = '' } = useParams();
  return (
    <ReferralsFrame title={t('referrals.edit.title')} tabs={false}>
      {(roles) => <EditReferral key={referralId} referralId={referralId} roles={roles} />}
    </ReferralsFrame>
  );
}

function EditReferral({ referralId, roles }: { referralId: string; roles: ReferralRoles }) {
  const { t } = useTranslation();
  const referral = useReferral(referralId);
  if (referral.isPending) return <Loading />;
  if (referral.isError) return <LoadError error={referral.error} onRetry={() => void referral.refetch()} />;
  const existing = referral.data;
  if (!existing.abilities.edit || !existing.caseId)
    return (
      <div className="notice" role="alert">
        <p>
          {t('referrals.edit.notEditable')}{' '}
          <Link to={referralPaths.referral(existing.id)}>{t('referrals.edit.back')}</Link>
        </p>
      </div>
    );
  return (
    <CaseLoader
      caseId={existing.caseId}
      roles={roles}
      supportRequestId={existing.supportRequestId ?? undefined}
      fixedRecipient={existing.recipient}
      existing={existing}
    />
  );
}

/** When referring from a support request: which of my cases it is about. */
function CaseChooser({ value, onChange }: { value: string; onChange: (caseId: string) => void }) {
  const { t } = useTranslation();
  const list = useCaseList({ scope: 'mine', limit: 100 });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <SelectField
      name="caseId"
      label={t('referrals.new.case')}
      hint={t('referrals.new.caseHint')}
      placeholder={t('cases.fields.choose')}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      options={list.data.items.map((item) => ({ value: item.id, label: item.reference }))}
    />
  );
}

function CaseLoader(props: {
  caseId: string;
  roles: ReferralRoles;
  supportRequestId?: string;
  fixedRecipient: PickedOrganisation | null;
  existing?: Referral;
}) {
  const file = useQuery({
    queryKey: caseKeys.file(props.caseId),
    queryFn: ({ signal }) => fetchCaseFile(props.caseId, false, signal),
    staleTime: 60_000,
  });
  if (file.isPending) return <Loading />;
  if (file.isError) return <LoadError error={file.error} onRetry={() => void file.refetch()} />;
  return <ReferralForm {...props} file={file.data} />;
}

interface Draft {
  recipient: PickedOrganisation | null;
  services: ReferralService[];
  urgency: ReferralUrgency | '';
  hours: string;
  note: string;
  sections: CaseSection[];
  overrideReason: string;
}

function ReferralForm({
  caseId,
  file,
  roles,
  supportRequestId,
  fixedRecipient,
  existing,
}: {
  caseId: string;
  file: CaseFile;
  roles: ReferralRoles;
  supportRequestId?: string;
  fixedRecipient: PickedOrganisation | null;
  /** Editing this draft rather than making a new one. */
  existing?: Referral;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const myOrganisation = me.data ? (activeMembershipOf(me.data)?.organisation.name ?? '') : '';
  const [draft, setDraft] = useState<Draft>(
    existing
      ? {
          recipient: fixedRecipient,
          services: existing.services,
          urgency: existing.urgency,
          hours: String(existing.acknowledgeWithinHours),
          note: existing.note ?? '',
          sections: existing.sections,
          overrideReason: '',
        }
      : {
          recipient: fixedRecipient,
          services: [],
          urgency: '',
          hours: String(DEFAULT_ACKNOWLEDGE_HOURS),
          note: '',
          sections: [],
          overrideReason: '',
        },
  );
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const [createKey] = useState(newIdempotencyKey);
  const [created, setCreated] = useState<Referral | null>(null);
  const [tiers, setTiers] = useState<PartnerTiers | null>(null);
  const covered = coveredSections(file, draft.recipient?.id);
  const overrides = draft.sections.filter((section) => !covered.has(section));
  // A draft's own override stands with its reason; only a section newly shared without consent needs one.
  const newOverrides = overrides.filter((section) => !existing?.overrideSections.includes(section));
  const editing = existing !== undefined;

  const save = useCaseMutation(
    async ({ body, send, confirm }: { body: ReferralCreate; send: boolean; confirm?: boolean }) => {
      // A retry after a failed send reuses the draft made (or saved) the first time.
      const referral =
        created ??
        (existing
          ? await updateReferral(existing.id, updateOf(body, existing.version))
          : await createReferral(body, createKey));
      setCreated(referral);
      if (!send) return referral;
      return transitionReferral(referral.id, {
        to: 'sent',
        version: referral.version,
        ...(confirm ? { confirmNewPartner: true } : {}),
      });
    },
    {
      fields: [
        'recipientOrganisationId',
        'services',
        'urgency',
        'acknowledgeWithinHours',
        'note',
        'sections',
        'overrideReason',
      ],
      onSuccess: async (referral) => {
        await queryClient.invalidateQueries({ queryKey: referralKeys.all });
        void navigate(referralPaths.referral(referral.id));
      },
    },
  );

  const submit = (send: boolean, confirm?: boolean) => {
    const errors: Record<string, string> = {};
    if (!draft.recipient) errors.recipientOrganisationId = t('referrals.new.errors.recipient');
    if (!supportRequestId && draft.services.length === 0)
      errors.services = t('referrals.new.errors.services');
    if (draft.sections.length === 0) errors.sections = t('referrals.new.errors.sections');
    const hours = Number(draft.hours);
    if (!Number.isInteger(hours) || hours < MIN_ACKNOWLEDGE_HOURS || hours > MAX_ACKNOWLEDGE_HOURS)
      errors.acknowledgeWithinHours = t('referrals.new.errors.hours', {
        min: MIN_ACKNOWLEDGE_HOURS,
        max: MAX_ACKNOWLEDGE_HOURS,
      });
    if (newOverrides.length > 0 && draft.overrideReason.trim() === '')
      errors.overrideReason = t('referrals.new.errors.overrideReason');
    if (Object.keys(errors).length > 0) {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    const body: ReferralCreate = {
      caseId,
      ...(supportRequestId ? { supportRequestId } : { recipientOrganisationId: draft.recipient?.id }),
      ...(supportRequestId ? {} : { services: draft.services }),
      sections: draft.sections,
      overrideSections: overrides,
      ...(newOverrides.length > 0 ? { overrideReason: draft.overrideReason.trim() } : {}),
      ...(draft.note.trim() !== '' ? { note: draft.note.trim() } : {}),
      ...(draft.urgency !== '' ? { urgency: draft.urgency } : {}),
      acknowledgeWithinHours: hours,
    };
    save.mutate(
      { body, send, confirm },
      {
        onError: (error) => {
          const partner = newPartnerOf(error);
          if (partner) {
            save.setErrors({ fieldErrors: {} });
            setTiers(partner);
          }
        },
      },
    );
  };

  return (
    <Form
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={() => submit(true)}
      aria-label={t(editing ? 'referrals.edit.title' : 'referrals.new.title')}
    >
      <p>
        {t('referrals.new.forCase')} <Link to={casePaths.file(caseId)}>{file.reference}</Link>
      </p>
      {fixedRecipient ? (
        <p>{t('referrals.new.recipientFixed', { name: fixedRecipient.name })}</p>
      ) : (
        <OrganisationPicker
          name="recipientOrganisationId"
          legend={t('referrals.new.recipient')}
          hint={t('referrals.new.recipientHint')}
          value={draft.recipient}
          onChange={(recipient) => set({ recipient })}
        />
      )}
      {(!supportRequestId || editing) && (
        <CheckboxGroup
          name="services"
          legend={t('referrals.new.services')}
          required
          options={SERVICES.map((value) => ({ value, label: t(`directory.vocabulary.services.${value}`) }))}
          value={draft.services}
          onChange={(services) => set({ services: services })}
        />
      )}
      <SelectField
        name="urgency"
        label={t('referrals.new.urgency')}
        placeholder={supportRequestId ? t('referrals.new.urgencyFromRequest') : undefined}
        value={draft.urgency === '' && !supportRequestId ? 'normal' : draft.urgency}
        onChange={(event) => set({ urgency: event.target.value as ReferralUrgency | '' })}
        options={REFERRAL_URGENCIES.map((value) => ({ value, label: t(`referrals.urgencies.${value}`) }))}
      />
      <TextField
        name="acknowledgeWithinHours"
        type="number"
        inputMode="numeric"
        min={MIN_ACKNOWLEDGE_HOURS}
        max={MAX_ACKNOWLEDGE_HOURS}
        label={t('referrals.new.hours')}
        hint={t('referrals.new.hoursHint')}
        value={draft.hours}
        onChange={(event) => set({ hours: event.target.value })}
      />
      <TextAreaField
        name="note"
        label={t('referrals.new.note')}
        hint={t('referrals.new.noteHint')}
        maxLength={5000}
        value={draft.note}
        onChange={(event) => set({ note: event.target.value })}
      />
      <SectionPicker
        sections={draft.sections}
        covered={covered}
        recipientChosen={Boolean(draft.recipient)}
        supervisor={roles.supervisor}
        onChange={(sections) => set({ sections })}
      />
      {editing && existing.override && overrides.length > 0 && newOverrides.length === 0 && (
        <p>{t('referrals.edit.overrideKept', { name: existing.override.by?.name ?? '' })}</p>
      )}
      {newOverrides.length > 0 && (
        <TextAreaField
          name="overrideReason"
          label={t('referrals.new.overrideReason')}
          hint={t('referrals.new.overrideReasonHint')}
          required
          maxLength={2000}
          value={draft.overrideReason}
          onChange={(event) => set({ overrideReason: event.target.value })}
        />
      )}
      {created && save.isError && (
        // The draft exists: what is changed here now would not reach it, so the draft's own page takes over.
        <div className="notice" role="note">
          <p>
            {t('referrals.new.draftSaved')}{' '}
            <Link to={referralPaths.referral(created.id)}>{t('referrals.new.openDraft')}</Link>
          </p>
        </div>
      )}
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('referrals.new.send')}
        </Button>
        <Button variant="secondary" busy={save.isPending} onClick={() => submit(false)}>
          {t(editing ? 'referrals.edit.save' : 'referrals.new.saveDraft')}
        </Button>
        {existing && (
          <Link className="button button--secondary" to={referralPaths.referral(existing.id)}>
            {t('referrals.edit.back')}
          </Link>
        )}
      </div>
      <NewPartnerDialog
        tiers={tiers}
        senderName={myOrganisation}
        recipientName={draft.recipient?.name ?? ''}
        busy={save.isPending}
        onConfirm={() => submit(true, true)}
        onClose={() => setTiers(null)}
      />
    </Form>
  );
}

/** What an edit sends: the form's body without what a draft cannot change (the case and the recipient). */
function updateOf(body: ReferralCreate, version: number): ReferralUpdate {
  return {
    version,
    ...(body.services ? { services: body.services } : {}),
    sections: body.sections,
    overrideSections: body.overrideSections ?? [],
    ...(body.overrideReason ? { overrideReason: body.overrideReason } : {}),
    note: body.note ?? null,
    urgency: body.urgency ?? 'normal',
    acknowledgeWithinHours: body.acknowledgeWithinHours,
  };
}

/**
 * The sections to share, each saying whether the survivor's consent covers it for this recipient. An
 * uncovered section can be picked only by a case supervisor, who then writes why (the server checks again).
 */
function SectionPicker({
  sections,
  covered,
  recipientChosen,
  supervisor,
  onChange,
}: {
  sections: CaseSection[];
  covered: Set<string>;
  recipientChosen: boolean;
  supervisor: boolean;
  onChange: (sections: CaseSection[]) => void;
}) {
  const { t } = useTranslation();
  const options = CASE_SECTIONS.map((value) => {
    const isCovered = covered.has(value);
    return {
      value: value,
      label: `${t(`cases.vocabulary.sections.${value}`)} — ${
        isCovered ? t('referrals.new.covered') : t('referrals.new.notCovered')
      }`,
      disabled: !isCovered && !supervisor,
    };
  });
  const chosen = new Set(sections);
  const frame = useFieldFrame('sections', 'hint', undefined);
  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">
        {t('referrals.new.sections')}
        <RequiredMark required />
      </legend>
      <FieldText
        frame={frame}
        hint={
          !recipientChosen
            ? t('referrals.new.sectionsChooseRecipient')
            : supervisor
              ? t('referrals.new.sectionsHintSupervisor')
              : t('referrals.new.sectionsHint')
        }
      />
      <ul className="dir-checkboxes">
        {options.map((option, index) => (
          <li key={option.value} className="orgs-choice orgs-choice--compact">
            <input
              type="checkbox"
              id={index === 0 ? frame.id : `${frame.id}-${option.value}`}
              checked={chosen.has(option.value)}
              disabled={option.disabled}
              onChange={() =>
                onChange(
                  options
                    .map((o) => o.value)
                    .filter((v) => (v === option.value ? !chosen.has(v) : chosen.has(v))),
                )
              }
            />
            <label htmlFor={index === 0 ? frame.id : `${frame.id}-${option.value}`}>{option.label}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
