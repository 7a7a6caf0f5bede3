import { useTranslation } from 'react-i18next';
import { countryName } from '../../identity/organisations/countries';
import { languageName } from '../../directory/profile/present';
import type { CaseFile } from '../api';
import { useCaseFormat } from '../format';
import { optionLabel } from '../sections';

type Row = readonly [label: string, value: string];

/** A section's facts as a definition list; a section with nothing in it says so. */
export function DetailList({ rows }: { rows: readonly Row[] }) {
  const { t } = useTranslation();
  const filled = rows.filter(([, value]) => value !== '');
  if (filled.length === 0) return <p className="muted">{t('cases.file.nothingRecorded')}</p>;
  return (
    <dl className="orgs-details cases-details">
      {filled.map(([label, value]) => (
        <div key={label} className="cases-details__row">
          <dt>{label}</dt>
          <dd className="orgs-break orgs-pre-line">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Names and birth. */
export function IdentityView({ identity }: { identity: NonNullable<CaseFile['identity']> }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const label = (name: string) => t(`cases.fields.identity.${name}`);
  return (
    <DetailList
      rows={[
        [label('salutation'), identity.salutation ?? ''],
        [label('title'), identity.title ?? ''],
        [label('firstName'), identity.firstName ?? ''],
        [label('middleName'), identity.middleName ?? ''],
        [label('secondName'), identity.secondName ?? ''],
        [label('aliases'), (identity.aliases ?? []).join('\n')],
        [label('birthDate'), identity.birthDate ? format.day(identity.birthDate) : ''],
        [label('birthYear'), identity.birthYear === undefined ? '' : String(identity.birthYear)],
      ]}
    />
  );
}

/** Contact and address. */
export function ContactView({ contact }: { contact: NonNullable<CaseFile['contact']> }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const label = (name: string) => t(`cases.fields.contact.${name}`);
  return (
    <DetailList
      rows={[
        [label('mobilePhone'), contact.mobilePhone ?? ''],
        [label('homePhone'), contact.homePhone ?? ''],
        [label('email'), contact.email ?? ''],
        [label('street'), contact.street ?? ''],
        [label('city'), contact.city ?? ''],
        [label('state'), contact.state ?? ''],
        [label('postalCode'), contact.postalCode ?? ''],
        [label('country'), contact.country ? countryName(contact.country, format.language) : ''],
      ]}
    />
  );
}

/** Identity documents. */
export function DocumentsView({ documents }: { documents: NonNullable<CaseFile['documents']> }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  if (documents.length === 0) return <p className="muted">{t('cases.file.nothingRecorded')}</p>;
  return (
    <ul className="cases-list">
      {documents.map((document, index) => (
        <li key={`${document.type}-${index}`} className="orgs-break">
          {t('cases.file.document', {
            type: optionLabel(t, 'documentTypes', document.type),
            number: document.number,
          })}
          {document.issuingCountry &&
            ` — ${t('cases.file.issuedBy', { country: countryName(document.issuingCountry, format.language) })}`}
        </li>
      ))}
    </ul>
  );
}

/** The survivor's account and details of vulnerabilities. */
export function NarrativeView({ narrative }: { narrative: NonNullable<CaseFile['narrative']> }) {
  const { t } = useTranslation();
  return (
    <DetailList
      rows={[
        [t('cases.fields.narrative.account'), narrative.account ?? ''],
        [t('cases.fields.narrative.detailsOfVulnerabilities'), narrative.detailsOfVulnerabilities ?? ''],
      ]}
    />
  );
}

/** Profile facts. */
export function ProfileView({ profile }: { profile: CaseFile['profile'] }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const label = (name: string) => t(`cases.fields.profile.${name}`);
  return (
    <DetailList
      rows={[
        [label('gender'), profile.gender ? optionLabel(t, 'genders', profile.gender) : ''],
        [
          label('maritalStatus'),
          profile.maritalStatus ? optionLabel(t, 'maritalStatuses', profile.maritalStatus) : '',
        ],
        [
          label('numberOfChildren'),
          profile.numberOfChildren === undefined ? '' : format.number(profile.numberOfChildren),
        ],
        [label('education'), profile.education ? optionLabel(t, 'educationLevels', profile.education) : ''],
        [
          label('citizenships'),
          (profile.citizenships ?? []).length > 0 ? format.countries(profile.citizenships ?? []) : '',
        ],
        [
          label('primaryLanguage'),
          profile.primaryLanguage ? languageName(profile.primaryLanguage, format.language) : '',
        ],
        [
          label('secondaryLanguage'),
          profile.secondaryLanguage ? languageName(profile.secondaryLanguage, format.language) : '',
        ],
        [label('deceased'), profile.deceased ? t('cases.fields.yes') : ''],
      ]}
    />
  );
}

/** The victim context, picklists translated. */
export function VictimView({ victim }: { victim: CaseFile['victim'] }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const label = (name: string) => t(`cases.fields.victim.${name}`);
  const one = (vocabulary: string, value: string | undefined) =>
    value ? optionLabel(t, vocabulary, value) : '';
  const many = (vocabulary: string, values: readonly string[] | undefined) =>
    (values ?? []).map((value) => optionLabel(t, vocabulary, value)).join(', ');
  const country = (code: string | undefined) => (code ? countryName(code, format.language) : '');
  return (
    <DetailList
      rows={[
        [label('traffickingStatus'), one('traffickingStatuses', victim.traffickingStatus)],
        [label('statusDecidedBy'), one('decisionMakers', victim.statusDecidedBy)],
        [
          label('agreementToManagePersonalData'),
          victim.agreementToManagePersonalData === undefined
            ? ''
            : t(victim.agreementToManagePersonalData ? 'cases.fields.yes' : 'cases.fields.no'),
        ],
        [label('relationshipToTrafficker'), one('relationships', victim.relationshipToTrafficker)],
        [
          label('ageWhenTrafficked'),
          victim.ageWhenTrafficked === undefined ? '' : format.number(victim.ageWhenTrafficked),
        ],
        [label('recruitmentMethods'), many('recruitmentMethods', victim.recruitmentMethods)],
        [label('recruitmentWebsitesAndApps'), many('websitesAndApps', victim.recruitmentWebsitesAndApps)],
        [label('recruitmentCountry'), country(victim.recruitmentCountry)],
        [label('methodsOfControl'), many('methodsOfControl', victim.methodsOfControl)],
        [label('exploitationTypes'), many('exploitationTypes', victim.exploitationTypes)],
        [label('forcedLabourIndustry'), one('industries', victim.forcedLabourIndustry)],
        [label('sexExploitationTypes'), many('sexExploitationTypes', victim.sexExploitationTypes)],
        [label('exploitationWebsitesAndApps'), many('websitesAndApps', victim.exploitationWebsitesAndApps)],
        [label('exploitationCountry'), country(victim.exploitationCountry)],
        [label('vulnerabilities'), many('vulnerabilities', victim.vulnerabilities)],
      ]}
    />
  );
}
