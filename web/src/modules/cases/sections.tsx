import { useId, useMemo, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, TextField } from '../../ui';
import { CheckboxGroup } from '../directory/profile/editor/CheckboxGroup';
import { languageName } from '../directory/profile/present';
import { LANGUAGE_CODES } from '../directory/vocabulary';
import { CountryPicker } from '../identity/organisations/components/CountryPicker';
import { SelectField, TextAreaField } from '../identity/organisations/components/fields';
import { countriesFor } from '../identity/organisations/countries';
import { useFormat } from '../identity/organisations/format';
import {
  emptyDocument,
  type ContactDraft,
  type DocumentDraft,
  type IdentityDraft,
  type NarrativeDraft,
  type ProfileDraft,
  type VictimDraft,
} from './case-form';
import {
  DECISION_MAKERS,
  DOCUMENT_TYPES,
  EDUCATION_LEVELS,
  EXPLOITATION_TYPES,
  GENDERS,
  INDUSTRIES,
  MARITAL_STATUSES,
  METHODS_OF_CONTROL,
  RECRUITMENT_METHODS,
  RELATIONSHIPS,
  SEX_EXPLOITATION_TYPES,
  TRAFFICKING_STATUSES,
  VULNERABILITIES,
  WEBSITES_AND_APPS,
  isExtension,
  vocabularyKey,
  type VocabularyName,
} from './vocabulary';

// The fields of each case-file section, shared by the intake and the case file's section editors. Each field
// is named by its path in the API (`identity.firstName`, `documents.0.number`), so the server's validation
// errors land beside the field they are about, and the error summary links to it.

type Translate = ReturnType<typeof useTranslation>['t'];

/** The options of a select or checkbox group from a case vocabulary, translated, extensions marked. */
function options<T extends string>(
  t: Translate,
  vocabulary: VocabularyName | 'exploitationTypes' | 'industries',
  list: readonly T[],
) {
  return list.map((value) => ({ value, label: optionLabel(t, vocabulary, value) }));
}

/** A picklist value's label; Cairn's additions to HTCDS say so. */
export function optionLabel(t: Translate, vocabulary: string, value: string): string {
  const key =
    vocabulary === 'exploitationTypes' || vocabulary === 'industries'
      ? `directory.vocabulary.${vocabulary}.${value}`
      : vocabularyKey(vocabulary as VocabularyName, value);
  const label = t(key);
  return isExtension(vocabulary, value) ? t('cases.vocabulary.extension', { label }) : label;
}

function useCountryOptions() {
  const format = useFormat();
  return useMemo(
    () => countriesFor(format.language).map((country) => ({ value: country.code, label: country.name })),
    [format.language],
  );
}

function useLanguageOptions() {
  const format = useFormat();
  return useMemo(() => {
    const collator = new Intl.Collator([format.language]);
    return LANGUAGE_CODES.map((code) => ({ value: code, label: languageName(code, format.language) })).sort(
      (a, b) => collator.compare(a.label, b.label),
    );
  }, [format.language]);
}

/** Binds a text input of a section draft: its API name, its value and its change handler. */
function binder<Draft extends object>(section: string, value: Draft, onChange: (value: Draft) => void) {
  return (name: keyof Draft & string) => ({
    name: `${section}.${name}`,
    value: String(value[name] ?? ''),
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      onChange({ ...value, [name]: event.target.value }),
  });
}

/** Names, aliases and birth (HTCDS `prs_`): identifying. */
export function IdentityFields({
  value,
  onChange,
}: {
  value: IdentityDraft;
  onChange: (value: IdentityDraft) => void;
}) {
  const { t } = useTranslation();
  const bind = binder('identity', value, onChange);
  return (
    <div className="cases-fields">
      <div className="cases-pair">
        <TextField label={t('cases.fields.identity.salutation')} autoComplete="off" {...bind('salutation')} />
        <TextField label={t('cases.fields.identity.title')} autoComplete="off" {...bind('title')} />
      </div>
      <div className="cases-pair">
        <TextField label={t('cases.fields.identity.firstName')} autoComplete="off" {...bind('firstName')} />
        <TextField label={t('cases.fields.identity.middleName')} autoComplete="off" {...bind('middleName')} />
      </div>
      <TextField
        label={t('cases.fields.identity.secondName')}
        hint={t('cases.fields.identity.secondNameHint')}
        autoComplete="off"
        {...bind('secondName')}
      />
      <TextAreaField
        label={t('cases.fields.identity.aliases')}
        hint={t('cases.fields.identity.aliasesHint')}
        rows={3}
        {...bind('aliases')}
      />
      <div className="cases-pair">
        <TextField type="date" label={t('cases.fields.identity.birthDate')} {...bind('birthDate')} />
        <TextField
          inputMode="numeric"
          label={t('cases.fields.identity.birthYear')}
          hint={t('cases.fields.identity.birthYearHint')}
          autoComplete="off"
          {...bind('birthYear')}
        />
      </div>
    </div>
  );
}

/** Contact and mailing address: identifying. */
export function ContactFields({
  value,
  onChange,
}: {
  value: ContactDraft;
  onChange: (value: ContactDraft) => void;
}) {
  const { t } = useTranslation();
  const countries = useCountryOptions();
  const bind = binder('contact', value, onChange);
  return (
    <div className="cases-fields">
      <div className="cases-pair">
        <TextField
          type="tel"
          label={t('cases.fields.contact.mobilePhone')}
          autoComplete="off"
          {...bind('mobilePhone')}
        />
        <TextField
          type="tel"
          label={t('cases.fields.contact.homePhone')}
          autoComplete="off"
          {...bind('homePhone')}
        />
      </div>
      <TextField type="email" label={t('cases.fields.contact.email')} autoComplete="off" {...bind('email')} />
      <TextField label={t('cases.fields.contact.street')} autoComplete="off" {...bind('street')} />
      <div className="cases-pair">
        <TextField label={t('cases.fields.contact.city')} autoComplete="off" {...bind('city')} />
        <TextField label={t('cases.fields.contact.state')} autoComplete="off" {...bind('state')} />
      </div>
      <div className="cases-pair">
        <TextField label={t('cases.fields.contact.postalCode')} autoComplete="off" {...bind('postalCode')} />
        <SelectField
          label={t('cases.fields.contact.country')}
          placeholder={t('cases.fields.chooseCountry')}
          options={countries}
          {...bind('country')}
        />
      </div>
    </div>
  );
}

/** Identity documents, one row each: identifying (the numbers feed the duplicate warning). */
export function DocumentsFields({
  value,
  onChange,
}: {
  value: readonly DocumentDraft[];
  onChange: (value: DocumentDraft[]) => void;
}) {
  const { t } = useTranslation();
  const countries = useCountryOptions();
  const update = (key: string, patch: Partial<DocumentDraft>) =>
    onChange(value.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  return (
    <div className="cases-fields">
      {value.length === 0 && <p className="muted">{t('cases.fields.documents.none')}</p>}
      <ol className="cases-rows">
        {value.map((row, index) => (
          <li key={row.key} className="cases-row">
            <fieldset className="orgs-group">
              <legend className="field__label">
                {t('cases.fields.documents.legend', { number: index + 1 })}
              </legend>
              <div className="cases-pair">
                <SelectField
                  name={`documents.${index}.type`}
                  label={t('cases.fields.documents.type')}
                  placeholder={t('cases.fields.choose')}
                  options={options(t, 'documentTypes', DOCUMENT_TYPES)}
                  value={row.type}
                  onChange={(event) => update(row.key, { type: event.target.value as DocumentDraft['type'] })}
                />
                <TextField
                  name={`documents.${index}.number`}
                  label={t('cases.fields.documents.number')}
                  autoComplete="off"
                  value={row.number}
                  onChange={(event) => update(row.key, { number: event.target.value })}
                />
              </div>
              <SelectField
                name={`documents.${index}.issuingCountry`}
                label={t('cases.fields.documents.issuingCountry')}
                placeholder={t('cases.fields.chooseCountry')}
                options={countries}
                value={row.issuingCountry}
                onChange={(event) => update(row.key, { issuingCountry: event.target.value })}
              />
              <Button
                variant="quiet"
                onClick={() => onChange(value.filter((other) => other.key !== row.key))}
              >
                {t('cases.fields.documents.remove', { number: index + 1 })}
              </Button>
            </fieldset>
          </li>
        ))}
      </ol>
      {value.length < 10 && (
        <Button variant="secondary" onClick={() => onChange([...value, emptyDocument()])}>
          {t('cases.fields.documents.add')}
        </Button>
      )}
    </div>
  );
}

/** The survivor's account and the details of vulnerabilities, in the caseworker's words: identifying. */
export function NarrativeFields({
  value,
  onChange,
}: {
  value: NarrativeDraft;
  onChange: (value: NarrativeDraft) => void;
}) {
  const { t } = useTranslation();
  const bind = binder('narrative', value, onChange);
  return (
    <div className="cases-fields">
      <TextAreaField
        label={t('cases.fields.narrative.account')}
        hint={t('cases.fields.narrative.accountHint')}
        rows={8}
        {...bind('account')}
      />
      <TextAreaField
        label={t('cases.fields.narrative.detailsOfVulnerabilities')}
        rows={4}
        {...bind('detailsOfVulnerabilities')}
      />
    </div>
  );
}

/** Profile facts that are picklist values and numbers (not sealed; what analysts count). */
export function ProfileFields({
  value,
  onChange,
}: {
  value: ProfileDraft;
  onChange: (value: ProfileDraft) => void;
}) {
  const { t } = useTranslation();
  const languages = useLanguageOptions();
  const deceasedId = useId();
  const bind = binder('profile', value, onChange);
  return (
    <div className="cases-fields">
      <div className="cases-pair">
        <SelectField
          label={t('cases.fields.profile.gender')}
          hint={t('cases.fields.neededToComplete')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'genders', GENDERS)}
          {...bind('gender')}
        />
        <SelectField
          label={t('cases.fields.profile.maritalStatus')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'maritalStatuses', MARITAL_STATUSES)}
          {...bind('maritalStatus')}
        />
      </div>
      <div className="cases-pair">
        <TextField
          inputMode="numeric"
          label={t('cases.fields.profile.numberOfChildren')}
          autoComplete="off"
          {...bind('numberOfChildren')}
        />
        <SelectField
          label={t('cases.fields.profile.education')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'educationLevels', EDUCATION_LEVELS)}
          {...bind('education')}
        />
      </div>
      <CountryPicker
        name="profile.citizenships"
        legend={t('cases.fields.profile.citizenships')}
        hint={t('cases.fields.profile.citizenshipsHint')}
        value={value.citizenships}
        onChange={(citizenships) => onChange({ ...value, citizenships })}
      />
      <div className="cases-pair">
        <SelectField
          label={t('cases.fields.profile.primaryLanguage')}
          placeholder={t('cases.fields.choose')}
          options={languages}
          {...bind('primaryLanguage')}
        />
        <SelectField
          label={t('cases.fields.profile.secondaryLanguage')}
          placeholder={t('cases.fields.choose')}
          options={languages}
          {...bind('secondaryLanguage')}
        />
      </div>
      <div className="orgs-choice orgs-choice--compact cases-checkbox">
        <input
          type="checkbox"
          id={deceasedId}
          name="profile.deceased"
          checked={value.deceased}
          onChange={(event) => onChange({ ...value, deceased: event.target.checked })}
        />
        <label htmlFor={deceasedId}>{t('cases.fields.profile.deceased')}</label>
      </div>
    </div>
  );
}

/** The victim context (HTCDS `vic_`), every picklist translated. */
export function VictimFields({
  value,
  onChange,
}: {
  value: VictimDraft;
  onChange: (value: VictimDraft) => void;
}) {
  const { t } = useTranslation();
  const countries = useCountryOptions();
  const bind = binder('victim', value, onChange);
  const list = <K extends keyof VictimDraft>(name: K) => ({
    name: `victim.${name}`,
    value: value[name] as string[],
    onChange: (chosen: string[]) => onChange({ ...value, [name]: chosen }),
  });
  return (
    <div className="cases-fields">
      <div className="cases-pair">
        <SelectField
          label={t('cases.fields.victim.traffickingStatus')}
          hint={t('cases.fields.neededToComplete')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'traffickingStatuses', TRAFFICKING_STATUSES)}
          {...bind('traffickingStatus')}
        />
        <SelectField
          label={t('cases.fields.victim.statusDecidedBy')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'decisionMakers', DECISION_MAKERS)}
          {...bind('statusDecidedBy')}
        />
      </div>
      <div className="cases-pair">
        <SelectField
          label={t('cases.fields.victim.agreementToManagePersonalData')}
          placeholder={t('cases.fields.notRecorded')}
          options={[
            { value: 'yes', label: t('cases.fields.yes') },
            { value: 'no', label: t('cases.fields.no') },
          ]}
          {...bind('agreementToManagePersonalData')}
        />
        <SelectField
          label={t('cases.fields.victim.relationshipToTrafficker')}
          placeholder={t('cases.fields.choose')}
          options={options(t, 'relationships', RELATIONSHIPS)}
          {...bind('relationshipToTrafficker')}
        />
      </div>
      <TextField
        inputMode="numeric"
        label={t('cases.fields.victim.ageWhenTrafficked')}
        autoComplete="off"
        className="cases-short"
        {...bind('ageWhenTrafficked')}
      />

      <h3 className="cases-subheading">{t('cases.fields.victim.recruitment')}</h3>
      <CheckboxGroup
        legend={t('cases.fields.victim.recruitmentMethods')}
        options={options(t, 'recruitmentMethods', RECRUITMENT_METHODS)}
        {...list('recruitmentMethods')}
      />
      <CheckboxGroup
        legend={t('cases.fields.victim.recruitmentWebsitesAndApps')}
        options={options(t, 'websitesAndApps', WEBSITES_AND_APPS)}
        {...list('recruitmentWebsitesAndApps')}
      />
      <SelectField
        label={t('cases.fields.victim.recruitmentCountry')}
        placeholder={t('cases.fields.chooseCountry')}
        options={countries}
        {...bind('recruitmentCountry')}
      />

      <h3 className="cases-subheading">{t('cases.fields.victim.exploitation')}</h3>
      <CheckboxGroup
        legend={t('cases.fields.victim.methodsOfControl')}
        hint={t('cases.fields.extensionHint')}
        options={options(t, 'methodsOfControl', METHODS_OF_CONTROL)}
        {...list('methodsOfControl')}
      />
      <CheckboxGroup
        legend={t('cases.fields.victim.exploitationTypes')}
        hint={t('cases.fields.extensionHint')}
        options={options(t, 'exploitationTypes', EXPLOITATION_TYPES)}
        {...list('exploitationTypes')}
      />
      <SelectField
        label={t('cases.fields.victim.forcedLabourIndustry')}
        placeholder={t('cases.fields.choose')}
        options={options(t, 'industries', INDUSTRIES)}
        {...bind('forcedLabourIndustry')}
      />
      <CheckboxGroup
        legend={t('cases.fields.victim.sexExploitationTypes')}
        options={options(t, 'sexExploitationTypes', SEX_EXPLOITATION_TYPES)}
        {...list('sexExploitationTypes')}
      />
      <CheckboxGroup
        legend={t('cases.fields.victim.exploitationWebsitesAndApps')}
        options={options(t, 'websitesAndApps', WEBSITES_AND_APPS)}
        {...list('exploitationWebsitesAndApps')}
      />
      <SelectField
        label={t('cases.fields.victim.exploitationCountry')}
        placeholder={t('cases.fields.chooseCountry')}
        options={countries}
        {...bind('exploitationCountry')}
      />
      <CheckboxGroup
        legend={t('cases.fields.victim.vulnerabilities')}
        options={options(t, 'vulnerabilities', VULNERABILITIES)}
        {...list('vulnerabilities')}
      />
    </div>
  );
}
