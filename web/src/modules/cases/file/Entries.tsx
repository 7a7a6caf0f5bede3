import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/problem';
import { Button, Form, TextField, useToast } from '../../../ui';
import { useRegions } from '../../directory/profile/api';
import { PlaceCombobox, type ComboboxPlace } from '../../directory/search/PlaceCombobox';
import { StepUpCancelledError } from '../../identity/auth/useStepUp';
import { CheckboxGroup } from '../../directory/profile/editor/CheckboxGroup';
import { SelectField, TextAreaField } from '../../identity/organisations/components/fields';
import { countriesFor, countryName } from '../../identity/organisations/countries';
import { messageOf } from '../../identity/organisations/errors';
import { useCaseMutation } from '../mutation';
import { addEntry, newIdempotencyKey, updateEntry, useCaseStaff, type Entry, type EntryKind } from '../api';
import { localToday } from '../case-form';
import {
  emptyEntry,
  entryDraftOf,
  entryFieldNames,
  isOverdue,
  SEALED_ENTRY_FIELDS,
  toEntryInput,
  toEntryUpdate,
  type EntryDraft,
  type EventDraft,
  type FollowUpDraft,
  type PerpetratorDraft,
  type SupportPlanDraft,
} from '../entry-form';
import { useCaseFormat } from '../format';
import { optionLabel } from '../sections';
import { EVENT_TYPES, PERPETRATOR_ROLES, SUPPORT_PLAN_STATUSES, SUPPORT_PLAN_TYPES } from '../vocabulary';
import { DetailList } from './views';
import { useCaseFileState } from './useCaseFile';

/**
 * One kind of entry on a case file — perpetrators, trafficking events, the support plan, follow-ups or
 * comments — listed, with a form to add one and (except comments, which stay as written) to change one.
 */
export function EntriesSection({ kind }: { kind: EntryKind }) {
  const { t } = useTranslation();
  const state = useCaseFileState();
  const { file } = state;
  const entries = file.entries.filter((entry) => entry.kind === kind);
  const [form, setForm] = useState<{ entryId: string | null; draft: EntryDraft; initial: string } | null>(
    null,
  );
  const [actionError, setActionError] = useState<string | undefined>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = `cases-${kind}`;
  const dirty = form !== null && JSON.stringify(form.draft) !== form.initial;
  const { markDirty } = state;
  useEffect(() => {
    markDirty(`entries-${kind}`, dirty);
    return () => markDirty(`entries-${kind}`, false);
  }, [markDirty, kind, dirty]);

  const openNew = () => {
    const draft = emptyEntry(kind);
    setActionError(undefined);
    setForm({ entryId: null, draft, initial: JSON.stringify(draft) });
  };

  const openEdit = async (entryId: string) => {
    setActionError(undefined);
    try {
      // The server replaces an entry whole, sealed notes included: edit only what was revealed.
      const revealed = await state.ensureRevealed();
      const entry = revealed.entries.find((candidate) => candidate.id === entryId);
      if (!entry) return;
      const draft = entryDraftOf(entry);
      setForm({ entryId, draft, initial: JSON.stringify(draft) });
    } catch (error) {
      if (!(error instanceof StepUpCancelledError)) setActionError(messageOf(error, t));
    }
  };

  const close = () => {
    setForm(null);
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  const canAdd = file.abilities.addEntries;
  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <div className="cases-section__header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {t(`cases.entries.${kind}.heading`)}
        </h2>
        {canAdd && !form && (
          <Button variant="secondary" onClick={openNew}>
            {t(`cases.entries.${kind}.add`)}
          </Button>
        )}
      </div>
      {!state.revealed && SEALED_ENTRY_FIELDS[kind].length > 0 && entries.length > 0 && (
        <p className="muted">{t(`cases.entries.${kind}.hiddenParts`)}</p>
      )}
      {actionError && (
        <p className="field__error" role="alert">
          {actionError}
        </p>
      )}
      {form && (
        <EntryForm
          key={form.entryId ?? 'new'}
          entryId={form.entryId}
          draft={form.draft}
          onChange={(draft) => setForm((current) => (current ? { ...current, draft } : current))}
          onDone={close}
        />
      )}
      {entries.length === 0 ? (
        <p className="muted">{t(`cases.entries.${kind}.none`)}</p>
      ) : (
        <ol className="cases-entries">
          {entries.map((entry) => (
            <EntryItem
              key={entry.id}
              entry={entry}
              onEdit={canAdd && kind !== 'comment' && !form ? () => void openEdit(entry.id) : undefined}
              onError={setActionError}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function EntryItem({
  entry,
  onEdit,
  onError,
}: {
  entry: Entry;
  onEdit?: () => void;
  onError: (message: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const format = useCaseFormat();
  const state = useCaseFileState();
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const f = entry.fields;
  const str = (name: string) => (typeof f[name] === 'string' ? f[name] : '');
  const list = (name: string) => (Array.isArray(f[name]) ? (f[name] as string[]) : []);
  const overdue = isOverdue(entry, localToday());

  const markDone = async () => {
    setBusy(true);
    onError(undefined);
    try {
      const revealed = await state.ensureRevealed();
      const current = revealed.entries.find((candidate) => candidate.id === entry.id);
      if (!current) return;
      const draft = { ...(entryDraftOf(current) as FollowUpDraft), done: true };
      await state.stepUp.guard(() => updateEntry(state.caseId, entry.id, toEntryUpdate(draft)));
      await state.refresh();
      toast.show(t('cases.entries.followUp.doneSaved'), { tone: 'success' });
    } catch (error) {
      if (!(error instanceof StepUpCancelledError)) onError(messageOf(error, t));
    } finally {
      setBusy(false);
    }
  };

  let title = '';
  let rows: [string, string][] = [];
  switch (entry.kind) {
    case 'perpetrator':
      title = list('roles')
        .map((role) => optionLabel(t, 'perpetratorRoles', role))
        .join(', ');
      rows = [
        [t('cases.entries.perpetrator.name'), str('name')],
        [t('cases.entries.perpetrator.aliases'), list('aliases').join('\n')],
        [
          t('cases.entries.perpetrator.nationality'),
          str('nationality') && countryName(str('nationality'), format.language),
        ],
        [t('cases.entries.perpetrator.phone'), str('phone')],
        [t('cases.entries.perpetrator.roleDetails'), str('roleDetails')],
      ];
      break;
    case 'event':
      title = str('date')
        ? t('cases.entries.event.titleDated', {
            type: optionLabel(t, 'eventTypes', str('type')),
            date: format.day(str('date')),
          })
        : optionLabel(t, 'eventTypes', str('type'));
      rows = [
        [t('cases.entries.event.country'), str('country') && countryName(str('country'), format.language)],
        [
          t('cases.entries.event.place'),
          typeof f.placeId === 'number' ? t('cases.entries.event.placeRecorded') : '',
        ],
        [t('cases.entries.event.street'), str('street')],
        [t('cases.entries.event.description'), str('description')],
      ];
      break;
    case 'supportPlan':
      title = t('cases.entries.supportPlan.title', {
        type: optionLabel(t, 'supportPlanTypes', str('type')),
        status: optionLabel(t, 'supportPlanStatuses', str('status') || 'Planned'),
      });
      rows = [
        [
          t('cases.entries.supportPlan.plannedEndDate'),
          str('plannedEndDate') && format.day(str('plannedEndDate')),
        ],
        [
          t('cases.entries.supportPlan.actualEndDate'),
          str('actualEndDate') && format.day(str('actualEndDate')),
        ],
        [t('cases.entries.supportPlan.objectives'), str('objectives')],
        [t('cases.entries.supportPlan.actionPlan'), str('actionPlan')],
        [t('cases.entries.supportPlan.outcome'), str('outcome')],
      ];
      break;
    case 'followUp':
      title = t('cases.entries.followUp.title', { date: entry.dueOn ? format.day(entry.dueOn) : '' });
      rows = [
        [t('cases.entries.followUp.assignee'), entry.assignee?.name ?? ''],
        [t('cases.entries.followUp.doneAt'), entry.doneAt ? format.dateTime(entry.doneAt) : ''],
        [t('cases.entries.followUp.note'), str('note')],
      ];
      break;
    case 'comment':
      title = t('cases.entries.comment.title', {
        name: entry.createdBy?.name ?? t('cases.entries.someone'),
        date: format.dateTime(entry.createdAt),
      });
      rows = [[t('cases.entries.comment.body'), str('body')]];
      break;
  }

  return (
    <li className="cases-entry">
      <article aria-labelledby={titleId}>
        <h3 id={titleId} className="cases-entry__title">
          {title}
        </h3>
        {entry.kind === 'followUp' && (
          <p className="orgs-badges">
            {entry.doneAt ? (
              <span className="orgs-badge orgs-badge--success">{t('cases.badges.done')}</span>
            ) : overdue ? (
              <span className="orgs-badge orgs-badge--danger">{t('cases.badges.overdue')}</span>
            ) : (
              <span className="orgs-badge orgs-badge--info">{t('cases.badges.open')}</span>
            )}
          </p>
        )}
        {entry.kind === 'comment' && !state.revealed ? (
          <p className="muted">{t('cases.entries.comment.hidden')}</p>
        ) : (
          <DetailList rows={rows} />
        )}
        {entry.kind !== 'comment' && entry.createdBy && (
          <p className="muted cases-entry__meta">
            {t('cases.entries.addedBy', {
              name: entry.createdBy.name,
              date: format.dateTime(entry.createdAt),
            })}
          </p>
        )}
        {(onEdit || (entry.kind === 'followUp' && !entry.doneAt && state.file.abilities.addEntries)) && (
          <div className="actions cases-entry__actions">
            {entry.kind === 'followUp' && !entry.doneAt && state.file.abilities.addEntries && (
              <Button variant="secondary" busy={busy} onClick={() => void markDone()}>
                {t('cases.entries.followUp.markDone')}
              </Button>
            )}
            {onEdit && (
              <Button variant="quiet" onClick={onEdit}>
                {t('cases.entries.edit', { title })}
              </Button>
            )}
          </div>
        )}
      </article>
    </li>
  );
}

function EntryForm({
  entryId,
  draft,
  onChange,
  onDone,
}: {
  entryId: string | null;
  draft: EntryDraft;
  onChange: (draft: EntryDraft) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const headingId = useId();
  const [key] = useState(newIdempotencyKey);
  const save = useCaseMutation(
    (value: EntryDraft) =>
      state.stepUp.guard(() =>
        entryId === null || value.kind === 'comment'
          ? addEntry(state.caseId, toEntryInput(value), key)
          : updateEntry(state.caseId, entryId, toEntryUpdate(value)),
      ),
    {
      fields: entryFieldNames(draft.kind),
      onSuccess: async () => {
        await state.refresh();
        toast.show(t(`cases.entries.${draft.kind}.saved`), { tone: 'success' });
        onDone();
      },
    },
  );
  const submit = () =>
    save.mutate(draft, {
      onError: (error) => {
        if (error instanceof StepUpCancelledError)
          save.setErrors({ fieldErrors: {}, formError: t('cases.file.stepUpCancelled') });
        else if (error instanceof ApiError && error.status === 404)
          save.setErrors({ fieldErrors: {}, formError: t('cases.entries.gone') });
      },
    });
  const title = t(
    entryId === null ? `cases.entries.${draft.kind}.add` : `cases.entries.${draft.kind}.change`,
  );
  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={submit}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{title}</h3>
      <EntryFields draft={draft} onChange={onChange} />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t(`cases.entries.${draft.kind}.submit`)}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          {t('cases.file.cancel')}
        </Button>
      </div>
      <p className="cases-status" aria-live="polite">
        {save.isPending ? t('cases.file.saving') : ''}
      </p>
    </Form>
  );
}

function EntryFields({ draft, onChange }: { draft: EntryDraft; onChange: (draft: EntryDraft) => void }) {
  switch (draft.kind) {
    case 'perpetrator':
      return <PerpetratorFields draft={draft} onChange={onChange} />;
    case 'event':
      return <EventFields draft={draft} onChange={onChange} />;
    case 'supportPlan':
      return <SupportPlanFields draft={draft} onChange={onChange} />;
    case 'followUp':
      return <FollowUpFields draft={draft} onChange={onChange} />;
    case 'comment':
      return <CommentFields body={draft.body} onChange={(body) => onChange({ kind: 'comment', body })} />;
  }
}

function useCountries() {
  const format = useCaseFormat();
  return countriesFor(format.language).map((country) => ({ value: country.code, label: country.name }));
}

function PerpetratorFields({
  draft,
  onChange,
}: {
  draft: PerpetratorDraft;
  onChange: (draft: EntryDraft) => void;
}) {
  const { t } = useTranslation();
  const countries = useCountries();
  const set = (patch: Partial<PerpetratorDraft>) => onChange({ ...draft, ...patch });
  return (
    <>
      <CheckboxGroup
        name="roles"
        legend={t('cases.entries.perpetrator.roles')}
        required
        options={PERPETRATOR_ROLES.map((value) => ({
          value,
          label: optionLabel(t, 'perpetratorRoles', value),
        }))}
        value={draft.roles}
        onChange={(roles) => set({ roles })}
      />
      <SelectField
        name="nationality"
        label={t('cases.entries.perpetrator.nationality')}
        placeholder={t('cases.fields.chooseCountry')}
        options={countries}
        value={draft.nationality}
        onChange={(event) => set({ nationality: event.target.value })}
      />
      <TextField
        name="name"
        label={t('cases.entries.perpetrator.name')}
        autoComplete="off"
        value={draft.name}
        onChange={(event) => set({ name: event.target.value })}
      />
      <TextAreaField
        name="aliases"
        label={t('cases.entries.perpetrator.aliases')}
        hint={t('cases.fields.identity.aliasesHint')}
        rows={2}
        value={draft.aliases}
        onChange={(event) => set({ aliases: event.target.value })}
      />
      <TextField
        name="phone"
        type="tel"
        label={t('cases.entries.perpetrator.phone')}
        autoComplete="off"
        value={draft.phone}
        onChange={(event) => set({ phone: event.target.value })}
      />
      <TextAreaField
        name="roleDetails"
        label={t('cases.entries.perpetrator.roleDetails')}
        value={draft.roleDetails}
        onChange={(event) => set({ roleDetails: event.target.value })}
      />
    </>
  );
}

function EventFields({ draft, onChange }: { draft: EventDraft; onChange: (draft: EntryDraft) => void }) {
  const { t } = useTranslation();
  const countries = useCountries();
  const regions = useRegions(draft.country, draft.country !== '');
  const [place, setPlace] = useState<ComboboxPlace | null>(
    draft.placeId === null
      ? null
      : { id: draft.placeId, name: t('cases.entries.event.placeRecorded'), country: null, regionName: null },
  );
  const set = (patch: Partial<EventDraft>) => onChange({ ...draft, ...patch });
  return (
    <>
      <div className="cases-pair">
        <SelectField
          name="type"
          label={t('cases.entries.event.type')}
          required
          placeholder={t('cases.fields.choose')}
          options={EVENT_TYPES.map((value) => ({ value, label: optionLabel(t, 'eventTypes', value) }))}
          value={draft.type}
          onChange={(event) => set({ type: event.target.value as EventDraft['type'] })}
        />
        <TextField
          name="date"
          type="date"
          label={t('cases.entries.event.date')}
          value={draft.date}
          onChange={(event) => set({ date: event.target.value })}
        />
      </div>
      <SelectField
        name="country"
        label={t('cases.entries.event.country')}
        required
        placeholder={t('cases.fields.chooseCountry')}
        options={countries}
        value={draft.country}
        onChange={(event) => {
          // A region and a place belong to one country; choosing another lets go of them.
          setPlace(null);
          set({ country: event.target.value, region: '', placeId: null });
        }}
      />
      {draft.country !== '' && (
        <>
          <SelectField
            name="region"
            label={t('cases.entries.event.region')}
            placeholder={
              regions.isPending ? t('cases.entries.event.regionsLoading') : t('cases.fields.choose')
            }
            options={(regions.data ?? []).map((region) => ({ value: region.code, label: region.name }))}
            value={draft.region}
            onChange={(event) => set({ region: event.target.value })}
          />
          <PlaceCombobox
            name="placeId"
            label={t('cases.entries.event.place')}
            hint={t('cases.entries.event.placeHint')}
            country={draft.country}
            value={place}
            onChange={(chosen) => {
              setPlace(chosen);
              set({ placeId: chosen?.id ?? null });
            }}
          />
        </>
      )}
      <TextField
        name="street"
        label={t('cases.entries.event.street')}
        autoComplete="off"
        value={draft.street}
        onChange={(event) => set({ street: event.target.value })}
      />
      <TextAreaField
        name="description"
        label={t('cases.entries.event.description')}
        value={draft.description}
        onChange={(event) => set({ description: event.target.value })}
      />
    </>
  );
}

function SupportPlanFields({
  draft,
  onChange,
}: {
  draft: SupportPlanDraft;
  onChange: (draft: EntryDraft) => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<SupportPlanDraft>) => onChange({ ...draft, ...patch });
  return (
    <>
      <div className="cases-pair">
        <SelectField
          name="type"
          label={t('cases.entries.supportPlan.type')}
          required
          placeholder={t('cases.fields.choose')}
          options={SUPPORT_PLAN_TYPES.map((value) => ({
            value,
            label: optionLabel(t, 'supportPlanTypes', value),
          }))}
          value={draft.type}
          onChange={(event) => set({ type: event.target.value as SupportPlanDraft['type'] })}
        />
        <SelectField
          name="status"
          label={t('cases.entries.supportPlan.status')}
          options={SUPPORT_PLAN_STATUSES.map((value) => ({
            value,
            label: optionLabel(t, 'supportPlanStatuses', value),
          }))}
          value={draft.status}
          onChange={(event) => set({ status: event.target.value as SupportPlanDraft['status'] })}
        />
      </div>
      <div className="cases-pair">
        <TextField
          name="plannedEndDate"
          type="date"
          label={t('cases.entries.supportPlan.plannedEndDate')}
          value={draft.plannedEndDate}
          onChange={(event) => set({ plannedEndDate: event.target.value })}
        />
        <TextField
          name="actualEndDate"
          type="date"
          label={t('cases.entries.supportPlan.actualEndDate')}
          value={draft.actualEndDate}
          onChange={(event) => set({ actualEndDate: event.target.value })}
        />
      </div>
      <TextAreaField
        name="objectives"
        label={t('cases.entries.supportPlan.objectives')}
        value={draft.objectives}
        onChange={(event) => set({ objectives: event.target.value })}
      />
      <TextAreaField
        name="actionPlan"
        label={t('cases.entries.supportPlan.actionPlan')}
        value={draft.actionPlan}
        onChange={(event) => set({ actionPlan: event.target.value })}
      />
      <TextAreaField
        name="outcome"
        label={t('cases.entries.supportPlan.outcome')}
        value={draft.outcome}
        onChange={(event) => set({ outcome: event.target.value })}
      />
    </>
  );
}

function FollowUpFields({
  draft,
  onChange,
}: {
  draft: FollowUpDraft;
  onChange: (draft: EntryDraft) => void;
}) {
  const { t } = useTranslation();
  const staff = useCaseStaff();
  const doneId = useId();
  const set = (patch: Partial<FollowUpDraft>) => onChange({ ...draft, ...patch });
  return (
    <>
      <div className="cases-pair">
        <TextField
          name="dueOn"
          type="date"
          label={t('cases.entries.followUp.dueOn')}
          required
          value={draft.dueOn}
          onChange={(event) => set({ dueOn: event.target.value })}
        />
        <SelectField
          name="assigneeMembershipId"
          label={t('cases.entries.followUp.assignee')}
          placeholder={t('cases.entries.followUp.me')}
          options={(staff.data?.items ?? []).map((person) => ({
            value: person.membershipId,
            label: person.name,
          }))}
          value={draft.assigneeMembershipId}
          onChange={(event) => set({ assigneeMembershipId: event.target.value })}
        />
      </div>
      <TextAreaField
        name="note"
        label={t('cases.entries.followUp.note')}
        hint={t('cases.entries.followUp.noteHint')}
        value={draft.note}
        onChange={(event) => set({ note: event.target.value })}
      />
      <div className="orgs-choice orgs-choice--compact cases-checkbox">
        <input
          type="checkbox"
          id={doneId}
          name="done"
          checked={draft.done}
          onChange={(event) => set({ done: event.target.checked })}
        />
        <label htmlFor={doneId}>{t('cases.entries.followUp.done')}</label>
      </div>
    </>
  );
}

function CommentFields({ body, onChange }: { body: string; onChange: (body: string) => void }) {
  const { t } = useTranslation();
  return (
    <TextAreaField
      name="body"
      label={t('cases.entries.comment.body')}
      hint={t('cases.entries.comment.hint')}
      rows={5}
      value={body}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
