import type { CaseDraft, SectionName } from './case-form';

// The names of a case form's fields, which are their paths in the API: the server's validation errors are
// matched against them to sit beside the right field; errors about anything else go to the form's summary.

const fixed: Record<Exclude<SectionName, 'documents'>, readonly string[]> = {
  identity: [
    'salutation',
    'title',
    'firstName',
    'middleName',
    'secondName',
    'aliases',
    'birthDate',
    'birthYear',
  ],
  contact: ['email', 'homePhone', 'mobilePhone', 'street', 'city', 'state', 'postalCode', 'country'],
  narrative: ['account', 'detailsOfVulnerabilities'],
  profile: [
    'gender',
    'deceased',
    'maritalStatus',
    'numberOfChildren',
    'education',
    'citizenships',
    'primaryLanguage',
    'secondaryLanguage',
  ],
  victim: [
    'agreementToManagePersonalData',
    'traffickingStatus',
    'statusDecidedBy',
    'relationshipToTrafficker',
    'ageWhenTrafficked',
    'recruitmentMethods',
    'recruitmentWebsitesAndApps',
    'recruitmentCountry',
    'methodsOfControl',
    'exploitationTypes',
    'forcedLabourIndustry',
    'sexExploitationTypes',
    'exploitationWebsitesAndApps',
    'exploitationCountry',
    'vulnerabilities',
  ],
};

/** The field names of one section (documents: one set per row). */
export function sectionFieldNames(section: SectionName, draft: Pick<CaseDraft, 'documents'>): string[] {
  if (section === 'documents')
    return draft.documents.flatMap((_, index) =>
      ['type', 'number', 'issuingCountry'].map((part) => `documents.${index}.${part}`),
    );
  return fixed[section].map((name) => `${section}.${name}`);
}

/** Every field name of the intake form. */
export function intakeFieldNames(draft: Pick<CaseDraft, 'documents'>): string[] {
  const sections: SectionName[] = ['identity', 'contact', 'documents', 'narrative', 'profile', 'victim'];
  return ['openedOn', ...sections.flatMap((section) => sectionFieldNames(section, draft))];
}
