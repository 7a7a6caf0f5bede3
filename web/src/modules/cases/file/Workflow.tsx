import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, Form, Loading, useToast } from '../../../ui';
import { RadioGroupField, SelectField, TextAreaField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useCaseMutation } from '../mutation';
import { CheckboxGroup } from '../../directory/profile/editor/CheckboxGroup';
import {
  decideClosure,
  reopenCase,
  requestClosure,
  setAssignments,
  setRestriction,
  useCaseStaff,
  type CaseFile,
} from '../api';
import { textOf } from '../../identity/organisations/form-data';
import { useCaseFormat } from '../format';
import { CLOSED_STATUSES, isOneOf } from '../vocabulary';
import { useCaseFileState } from './useCaseFile';

/**
 * Closing a case: anyone working on it asks, with a reason; a supervisor other than the asker approves or
 * rejects; a supervisor can reopen a closed case.
 */
export function ClosureSection() {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const { file, revealed } = useCaseFileState();
  const request = file.closureRequest;
  const closed = file.status === 'Closed' || file.status === 'ClosedReferred';
  if (!request && !closed && !file.abilities.requestClosure) return null;
  return (
    <section className="cases-section" aria-labelledby="cases-closure">
      <h2 id="cases-closure" tabIndex={-1}>
        {t('cases.closure.heading')}
      </h2>
      {closed && file.closedOn && (
        <p>
          {t('cases.closure.closedOn', {
            status: t(`cases.vocabulary.caseStatuses.${file.status}`),
            date: format.day(file.closedOn),
          })}
        </p>
      )}
      {request && (
        <div className="notice orgs-notice--warning">
          <p>
            {t('cases.closure.pending', {
              status: t(`cases.vocabulary.caseStatuses.${request.status}`),
              name: request.requestedBy?.name ?? t('cases.entries.someone'),
              date: format.dateTime(request.requestedAt),
            })}
          </p>
          {request.reason ? (
            <p className="orgs-pre-line orgs-break">
              <strong>{t('cases.closure.reason')}</strong> {request.reason}
            </p>
          ) : (
            !revealed && <p className="muted">{t('cases.closure.reasonHidden')}</p>
          )}
          {file.abilities.approveClosure && <ClosureDecision />}
          {!file.abilities.approveClosure && <p className="muted">{t('cases.closure.waiting')}</p>}
        </div>
      )}
      {file.abilities.requestClosure && <ClosureRequestForm />}
      {file.abilities.reopen && <ReopenForm />}
    </section>
  );
}

function ClosureDecision() {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const [decision, setDecision] = useState<'approve' | 'reject' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const decide = async () => {
    if (!decision) return;
    setBusy(true);
    setError(undefined);
    try {
      const file = await decideClosure(state.caseId, decision);
      setDecision(null);
      await state.apply(file);
      toast.show(t(decision === 'approve' ? 'cases.closure.approved' : 'cases.closure.rejected'), {
        tone: 'success',
      });
      requestAnimationFrame(() => document.getElementById('cases-closure')?.focus());
    } catch (failure) {
      setError(messageOf(failure, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="actions">
        <Button onClick={() => setDecision('approve')}>{t('cases.closure.approve')}</Button>
        <Button variant="secondary" onClick={() => setDecision('reject')}>
          {t('cases.closure.reject')}
        </Button>
      </div>
      <Dialog
        open={decision !== null}
        onClose={() => setDecision(null)}
        title={t(decision === 'reject' ? 'cases.closure.rejectTitle' : 'cases.closure.approveTitle')}
        footer={
          <>
            <Button
              variant={decision === 'approve' ? 'primary' : 'danger'}
              busy={busy}
              onClick={() => void decide()}
            >
              {t(decision === 'reject' ? 'cases.closure.rejectConfirm' : 'cases.closure.approveConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setDecision(null)}>
              {t('cases.file.cancel')}
            </Button>
          </>
        }
      >
        <p>{t(decision === 'reject' ? 'cases.closure.rejectBody' : 'cases.closure.approveBody')}</p>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
      </Dialog>
    </>
  );
}

function ClosureRequestForm() {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const headingId = useId();
  const [open, setOpen] = useState(false);
  const { markDirty } = state;
  useEffect(() => {
    markDirty('closure', open);
    return () => markDirty('closure', false);
  }, [markDirty, open]);
  const save = useCaseMutation(
    (body: { status: (typeof CLOSED_STATUSES)[number]; reason: string }) =>
      requestClosure(state.caseId, body),
    {
      fields: ['status', 'reason'],
      onSuccess: async (file) => {
        setOpen(false);
        await state.apply(file);
        toast.show(t('cases.closure.requested'), { tone: 'success' });
        requestAnimationFrame(() => document.getElementById('cases-closure')?.focus());
      },
    },
  );
  if (!open)
    return (
      <div className="actions">
        <Button variant="secondary" onClick={() => setOpen(true)}>
          {t('cases.closure.request')}
        </Button>
      </div>
    );
  const submit = (data: FormData) => {
    const status = textOf(data, 'status');
    const reason = textOf(data, 'reason');
    const errors: Record<string, string> = {};
    if (!isOneOf(CLOSED_STATUSES, status)) errors.status = t('cases.closure.errors.status');
    if (reason === '') errors.reason = t('cases.closure.errors.reason');
    if (Object.keys(errors).length > 0 || !isOneOf(CLOSED_STATUSES, status)) {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    save.mutate({ status, reason });
  };
  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={submit}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.closure.request')}</h3>
      <p className="muted">{t('cases.closure.requestIntro')}</p>
      <RadioGroupField
        name="status"
        legend={t('cases.closure.status')}
        required
        options={CLOSED_STATUSES.map((value) => ({
          value,
          label: t(`cases.vocabulary.caseStatuses.${value}`),
          description: t(`cases.closure.statusHelp.${value}`),
        }))}
      />
      <TextAreaField
        name="reason"
        label={t('cases.closure.reasonLabel')}
        hint={t('cases.closure.reasonHint')}
        required
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('cases.closure.submit')}
        </Button>
        <Button variant="secondary" onClick={() => setOpen(false)}>
          {t('cases.file.cancel')}
        </Button>
      </div>
    </Form>
  );
}

function ReopenForm() {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const headingId = useId();
  const save = useCaseMutation((reason: string) => reopenCase(state.caseId, reason), {
    fields: ['reason'],
    onSuccess: async (file) => {
      await state.apply(file);
      toast.show(t('cases.closure.reopened'), { tone: 'success' });
    },
  });
  const submit = (data: FormData) => {
    const reason = textOf(data, 'reason');
    if (reason === '') {
      save.setErrors({ fieldErrors: { reason: t('cases.closure.errors.reopenReason') } });
      return;
    }
    save.mutate(reason);
  };
  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={submit}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.closure.reopen')}</h3>
      <TextAreaField
        name="reason"
        label={t('cases.closure.reopenReason')}
        hint={t('cases.closure.reopenHint')}
        required
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('cases.closure.reopenSubmit')}
        </Button>
      </div>
    </Form>
  );
}

/**
 * Who works on the case: the assigned staff (primary first) and, when restricted, the only staff who may open
 * it. Supervisors change both.
 */
export function StaffSection() {
  const { t } = useTranslation();
  const { file } = useCaseFileState();
  const [editing, setEditing] = useState<'assign' | 'restrict' | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const close = () => {
    setEditing(null);
    requestAnimationFrame(() => headingRef.current?.focus());
  };
  return (
    <section className="cases-section" aria-labelledby="cases-staff">
      <h2 id="cases-staff" ref={headingRef} tabIndex={-1}>
        {t('cases.staff.heading')}
      </h2>
      <dl className="orgs-details cases-details">
        <div className="cases-details__row">
          <dt>{t('cases.staff.assignees')}</dt>
          <dd>
            {file.assignees.length === 0
              ? t('cases.table.nobody')
              : file.assignees
                  .map((person) =>
                    person.primary ? t('cases.staff.primary', { name: person.name }) : person.name,
                  )
                  .join(', ')}
          </dd>
        </div>
        {file.restricted && (
          <div className="cases-details__row">
            <dt>{t('cases.staff.restrictedTo')}</dt>
            <dd>{file.restrictedTo.map((person) => person.name).join(', ')}</dd>
          </div>
        )}
      </dl>
      {(file.abilities.assign || file.abilities.restrict) && editing === null && (
        <div className="actions">
          {file.abilities.assign && (
            <Button variant="secondary" onClick={() => setEditing('assign')}>
              {t('cases.staff.assign')}
            </Button>
          )}
          {file.abilities.restrict && (
            <Button variant="secondary" onClick={() => setEditing('restrict')}>
              {t('cases.staff.restrict')}
            </Button>
          )}
        </div>
      )}
      {editing === 'assign' && <AssignForm file={file} onDone={close} />}
      {editing === 'restrict' && <RestrictForm file={file} onDone={close} />}
    </section>
  );
}

function AssignForm({ file, onDone }: { file: CaseFile; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const staff = useCaseStaff();
  const headingId = useId();
  const [chosen, setChosen] = useState<string[]>(file.assignees.map((person) => person.membershipId));
  const [primary, setPrimary] = useState(
    file.assignees.find((person) => person.primary)?.membershipId ?? file.assignees[0]?.membershipId ?? '',
  );
  const save = useCaseMutation(
    (body: { membershipIds: string[]; primaryMembershipId: string }) => setAssignments(state.caseId, body),
    {
      fields: ['membershipIds', 'primaryMembershipId'],
      onSuccess: async (saved) => {
        await state.apply(saved);
        toast.show(t('cases.staff.assigned'), { tone: 'success' });
        onDone();
      },
    },
  );
  if (staff.isPending) return <Loading />;
  if (staff.isError) return <LoadError error={staff.error} onRetry={() => void staff.refetch()} />;
  const people = staff.data.items;
  const submit = () => {
    const errors: Record<string, string> = {};
    if (chosen.length === 0) errors.membershipIds = t('cases.staff.errors.none');
    else if (!chosen.includes(primary)) errors.primaryMembershipId = t('cases.staff.errors.primary');
    if (Object.keys(errors).length > 0) {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    save.mutate({ membershipIds: chosen, primaryMembershipId: primary });
  };
  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={submit}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.staff.assign')}</h3>
      <CheckboxGroup
        name="membershipIds"
        legend={t('cases.staff.who')}
        required
        options={people.map((person) => ({ value: person.membershipId, label: staffLabel(t, person) }))}
        value={chosen}
        onChange={setChosen}
      />
      <SelectField
        name="primaryMembershipId"
        label={t('cases.staff.primaryLabel')}
        required
        placeholder={t('cases.fields.choose')}
        options={people
          .filter((person) => chosen.includes(person.membershipId))
          .map((person) => ({ value: person.membershipId, label: person.name }))}
        value={primary}
        onChange={(event) => setPrimary(event.target.value)}
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('cases.staff.assignSubmit')}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          {t('cases.file.cancel')}
        </Button>
      </div>
    </Form>
  );
}

function RestrictForm({ file, onDone }: { file: CaseFile; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const staff = useCaseStaff();
  const headingId = useId();
  const restrictedId = useId();
  const [restricted, setRestricted] = useState(file.restricted);
  const [named, setNamed] = useState<string[]>(file.restrictedTo.map((person) => person.membershipId));
  const save = useCaseMutation(
    (body: { restricted: boolean; membershipIds: string[] }) => setRestriction(state.caseId, body),
    {
      fields: ['restricted', 'membershipIds'],
      onSuccess: async (saved) => {
        await state.apply(saved);
        toast.show(t(saved.restricted ? 'cases.staff.restrictedSaved' : 'cases.staff.unrestrictedSaved'), {
          tone: 'success',
        });
        onDone();
      },
    },
  );
  if (staff.isPending) return <Loading />;
  if (staff.isError) return <LoadError error={staff.error} onRetry={() => void staff.refetch()} />;
  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={() => save.mutate({ restricted, membershipIds: restricted ? named : [] })}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.staff.restrict')}</h3>
      <p className="muted">{t('cases.staff.restrictIntro')}</p>
      <div className="orgs-choice orgs-choice--compact cases-checkbox">
        <input
          type="checkbox"
          id={restrictedId}
          checked={restricted}
          onChange={(event) => setRestricted(event.target.checked)}
        />
        <label htmlFor={restrictedId}>{t('cases.staff.restrictedLabel')}</label>
      </div>
      {restricted && (
        <CheckboxGroup
          name="membershipIds"
          legend={t('cases.staff.named')}
          hint={t('cases.staff.namedHint')}
          options={staff.data.items.map((person) => ({
            value: person.membershipId,
            label: staffLabel(t, person),
          }))}
          value={named}
          onChange={setNamed}
        />
      )}
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('cases.staff.restrictSubmit')}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          {t('cases.file.cancel')}
        </Button>
      </div>
    </Form>
  );
}

function staffLabel(
  t: ReturnType<typeof useTranslation>['t'],
  person: { name: string; role: string },
): string {
  return t('cases.staff.person', { name: person.name, role: t(`orgs.roles.${person.role}.name`) });
}
