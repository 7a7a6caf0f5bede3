import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { Button, Dialog, Form, TextField, useToast } from '../../../ui';
import { CheckboxGroup } from '../../directory/profile/editor/CheckboxGroup';
import {
  SelectField,
  TextAreaField,
  useFieldFrame,
  FieldText,
  fieldClass,
} from '../../identity/organisations/components/fields';
import { countryName } from '../../identity/organisations/countries';
import { messageOf } from '../../identity/organisations/errors';
import { required } from '../../identity/organisations/queries';
import { useCaseMutation } from '../mutation';
import { newIdempotencyKey, recordConsent, revokeConsent, type Consent, type ConsentInput } from '../api';
import { localToday } from '../case-form';
import { useCaseFormat } from '../format';
import { optionLabel } from '../sections';
import { CASE_SECTIONS, CONSENT_PURPOSES, PURPOSES_WITH_RECIPIENT } from '../vocabulary';
import { useCaseFileState } from './useCaseFile';

type Purpose = ConsentInput['purpose'];
type Section = ConsentInput['sections'][number];

/** Whether a consent is in force, revoked, or past its expiry (the server's `active` says which). */
function consentState(consent: Consent): 'active' | 'revoked' | 'expired' | 'future' {
  if (consent.revokedAt) return 'revoked';
  if (consent.active) return 'active';
  return consent.expiresOn !== null && consent.expiresOn <= localToday() ? 'expired' : 'future';
}

const stateTone = { active: 'success', revoked: 'neutral', expired: 'warning', future: 'info' } as const;

/**
 * The survivor's consents, one record per purpose: what each covers, for whom, from when, until when. The
 * server checks them wherever data leaves the case; revoking one stops the disclosures it allowed.
 */
export function ConsentsSection() {
  const { t } = useTranslation();
  const state = useCaseFileState();
  const { file } = state;
  const [adding, setAdding] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = 'cases-consents';
  const { markDirty } = state;
  useEffect(() => {
    markDirty('consents', adding);
    return () => markDirty('consents', false);
  }, [markDirty, adding]);

  const close = () => {
    setAdding(false);
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <div className="cases-section__header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {t('cases.consents.heading')}
        </h2>
        {file.abilities.recordConsent && !adding && (
          <Button variant="secondary" onClick={() => setAdding(true)}>
            {t('cases.consents.add')}
          </Button>
        )}
      </div>
      <p className="muted">{t('cases.consents.intro')}</p>
      {adding && <ConsentForm onDone={close} />}
      {file.consents.length === 0 ? (
        <p className="muted">{t('cases.consents.none')}</p>
      ) : (
        <ol className="cases-entries">
          {file.consents.map((consent) => (
            <ConsentItem key={consent.id} consent={consent} />
          ))}
        </ol>
      )}
    </section>
  );
}

function ConsentItem({ consent }: { consent: Consent }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const toast = useToast();
  const state = useCaseFileState();
  const titleId = useId();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const status = consentState(consent);
  const purpose = optionLabel(t, 'consentPurposes', consent.purpose);
  const title = consent.recipientOrganisation
    ? t('cases.consents.titleTo', { purpose, organisation: consent.recipientOrganisation.name })
    : purpose;

  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await revokeConsent(state.caseId, consent.id);
      setConfirming(false);
      await state.refresh();
      toast.show(t('cases.consents.revoked', { purpose }), { tone: 'success' });
    } catch (failure) {
      setError(messageOf(failure, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="cases-entry">
      <article aria-labelledby={titleId}>
        <h3 id={titleId} className="cases-entry__title">
          {title}
        </h3>
        <p className="orgs-badges">
          <span className={`orgs-badge orgs-badge--${stateTone[status]}`}>
            {t(`cases.consents.state.${status}`)}
          </span>
        </p>
        <dl className="orgs-details cases-details">
          <div className="cases-details__row">
            <dt>{t('cases.consents.covers')}</dt>
            <dd>{consent.sections.map((section) => optionLabel(t, 'sections', section)).join(', ')}</dd>
          </div>
          <div className="cases-details__row">
            <dt>{t('cases.consents.givenOn')}</dt>
            <dd>{format.day(consent.givenOn)}</dd>
          </div>
          <div className="cases-details__row">
            <dt>{t('cases.consents.expiresOn')}</dt>
            <dd>{consent.expiresOn ? format.day(consent.expiresOn) : t('cases.consents.noExpiry')}</dd>
          </div>
          {consent.recordedBy && (
            <div className="cases-details__row">
              <dt>{t('cases.consents.recordedBy')}</dt>
              <dd>{consent.recordedBy.name}</dd>
            </div>
          )}
          {consent.revokedAt && (
            <div className="cases-details__row">
              <dt>{t('cases.consents.revokedAt')}</dt>
              <dd>{format.dateTime(consent.revokedAt)}</dd>
            </div>
          )}
          {consent.note && (
            <div className="cases-details__row">
              <dt>{t('cases.consents.note')}</dt>
              <dd className="orgs-pre-line orgs-break">{consent.note}</dd>
            </div>
          )}
        </dl>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        {state.file.abilities.recordConsent && !consent.revokedAt && (
          <div className="actions">
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              {t('cases.consents.revoke', { title })}
            </Button>
          </div>
        )}
        <Dialog
          open={confirming}
          onClose={() => setConfirming(false)}
          title={t('cases.consents.revokeTitle', { title })}
          footer={
            <>
              <Button variant="danger" busy={busy} onClick={() => void revoke()}>
                {t('cases.consents.revokeConfirm')}
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                {t('cases.file.cancel')}
              </Button>
            </>
          }
        >
          <p>{t('cases.consents.revokeBody')}</p>
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
        </Dialog>
      </article>
    </li>
  );
}

interface ConsentDraft {
  purpose: Purpose | '';
  recipient: { id: string; name: string } | null;
  sections: Section[];
  givenOn: string;
  expiresOn: string;
  note: string;
}

function ConsentForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const headingId = useId();
  const [key] = useState(newIdempotencyKey);
  const [draft, setDraft] = useState<ConsentDraft>(() => ({
    purpose: '',
    recipient: null,
    sections: [],
    givenOn: localToday(),
    expiresOn: '',
    note: '',
  }));
  const set = (patch: Partial<ConsentDraft>) => setDraft((current) => ({ ...current, ...patch }));
  // A referral's or a transfer's consent names the organisation the survivor agreed to.
  const withRecipient = draft.purpose !== '' && PURPOSES_WITH_RECIPIENT.includes(draft.purpose);

  const save = useCaseMutation((body: ConsentInput) => recordConsent(state.caseId, body, key), {
    fields: ['purpose', 'recipientOrganisationId', 'sections', 'givenOn', 'expiresOn', 'note'],
    onSuccess: async (consent) => {
      await state.refresh();
      toast.show(t('cases.consents.saved', { purpose: optionLabel(t, 'consentPurposes', consent.purpose) }), {
        tone: 'success',
      });
      onDone();
    },
  });

  const submit = () => {
    const errors: Record<string, string> = {};
    if (draft.purpose === '') errors.purpose = t('cases.consents.errors.purpose');
    if (draft.sections.length === 0) errors.sections = t('cases.consents.errors.sections');
    if (withRecipient && !draft.recipient)
      errors.recipientOrganisationId = t('cases.consents.errors.recipient');
    if (Object.keys(errors).length > 0 || draft.purpose === '') {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    save.mutate({
      purpose: draft.purpose,
      recipientOrganisationId: withRecipient ? draft.recipient?.id : undefined,
      sections: draft.sections,
      givenOn: draft.givenOn,
      expiresOn: draft.expiresOn === '' ? undefined : draft.expiresOn,
      note: draft.note.trim() === '' ? undefined : draft.note.trim(),
    });
  };

  return (
    <Form
      className="cases-entry-form"
      errors={save.errors.fieldErrors}
      formError={save.errors.formError}
      onSubmit={submit}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.consents.add')}</h3>
      <SelectField
        name="purpose"
        label={t('cases.consents.purpose')}
        required
        placeholder={t('cases.fields.choose')}
        options={CONSENT_PURPOSES.map((value) => ({
          value,
          label: optionLabel(t, 'consentPurposes', value),
        }))}
        value={draft.purpose}
        onChange={(event) => set({ purpose: event.target.value as Purpose | '' })}
      />
      {withRecipient && (
        <OrganisationPicker value={draft.recipient} onChange={(recipient) => set({ recipient })} />
      )}
      {draft.purpose === 'Matching' && <p className="field__hint">{t('cases.consents.matchingHint')}</p>}
      <CheckboxGroup
        name="sections"
        legend={t('cases.consents.sections')}
        hint={t('cases.consents.sectionsHint')}
        required
        options={CASE_SECTIONS.map((value) => ({ value, label: optionLabel(t, 'sections', value) }))}
        value={draft.sections}
        onChange={(sections) => set({ sections })}
      />
      <div className="cases-pair">
        <TextField
          name="givenOn"
          type="date"
          required
          label={t('cases.consents.givenOn')}
          value={draft.givenOn}
          onChange={(event) => set({ givenOn: event.target.value })}
        />
        <TextField
          name="expiresOn"
          type="date"
          label={t('cases.consents.expiresOn')}
          hint={t('cases.consents.expiresHint')}
          value={draft.expiresOn}
          onChange={(event) => set({ expiresOn: event.target.value })}
        />
      </div>
      <TextAreaField
        name="note"
        label={t('cases.consents.note')}
        hint={t('cases.consents.noteHint')}
        value={draft.note}
        onChange={(event) => set({ note: event.target.value })}
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('cases.consents.submit')}
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

type Hit = { organisationId: string; name: string; countries: string[] };

/**
 * Picks the organisation a referral consent names, from the directory's search (a search box and a short
 * list of radio buttons: the same on every phone and screen reader).
 */
function OrganisationPicker({
  value,
  onChange,
}: {
  value: { id: string; name: string } | null;
  onChange: (organisation: { id: string; name: string } | null) => void;
}) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const frame = useFieldFrame('recipientOrganisationId', t('cases.consents.recipientHint'), undefined);
  const ids = useId();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const search = async () => {
    if (query.trim().length < 2) return;
    setBusy(true);
    setFailed(false);
    try {
      const result = await required(
        api.GET('/api/directory/search', {
          params: {
            query: {
              q: query.trim(),
              service: [],
              population: [],
              exploitation: [],
              country: [],
              region: [],
              language: [],
              focus: [],
              industry: [],
              type: [],
              network: [],
              tier: [],
              pageSize: 10,
            },
          },
        }),
      );
      setHits(
        result.items.map(({ organisationId, name, countries }) => ({ organisationId, name, countries })),
      );
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group cases-picker')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{t('cases.consents.recipient')}</legend>
      <FieldText frame={frame} hint={t('cases.consents.recipientHint')} />
      {value && (
        <p className="cases-picker__chosen">{t('cases.consents.recipientChosen', { name: value.name })}</p>
      )}
      <label htmlFor={frame.id} className="orgs-countries__search-label">
        {t('cases.consents.recipientSearch')}
      </label>
      <div className="cases-picker__search">
        <input
          id={frame.id}
          type="search"
          className="field__input"
          value={query}
          autoComplete="off"
          aria-invalid={frame.message ? true : undefined}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            // Enter searches here instead of submitting the whole consent.
            if (event.key === 'Enter') {
              event.preventDefault();
              void search();
            }
          }}
        />
        <Button variant="secondary" busy={busy} onClick={() => void search()}>
          {t('cases.consents.recipientFind')}
        </Button>
      </div>
      <div aria-live="polite">
        {failed && <p className="field__error">{t('orgs.errors.network')}</p>}
        {hits && hits.length === 0 && <p className="muted">{t('cases.consents.recipientNone')}</p>}
        {hits && hits.length > 0 && (
          <p className="muted">{t('cases.consents.recipientCount', { count: hits.length })}</p>
        )}
      </div>
      {hits && hits.length > 0 && (
        <ul className="orgs-choices cases-picker__list">
          {hits.map((hit) => (
            <li key={hit.organisationId} className="orgs-choice orgs-choice--compact">
              <input
                type="radio"
                id={`${ids}-${hit.organisationId}`}
                name={`${ids}-recipient`}
                checked={value?.id === hit.organisationId}
                onChange={() => onChange({ id: hit.organisationId, name: hit.name })}
              />
              <label htmlFor={`${ids}-${hit.organisationId}`}>
                {hit.name}
                {hit.countries.length > 0 && (
                  <span className="muted">
                    {' — '}
                    {hit.countries
                      .slice(0, 3)
                      .map((code) => countryName(code, format.language))
                      .join(', ')}
                  </span>
                )}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
