import type { CaseCreate, CaseFile, CaseUpdate, DuplicateCheckInput } from './api';

type Identity = NonNullable<CaseFile['identity']>;
type Contact = NonNullable<CaseFile['contact']>;
type Documents = NonNullable<CaseFile['documents']>;
type Narrative = NonNullable<CaseFile['narrative']>;
type Profile = CaseFile['profile'];
type Victim = CaseFile['victim'];
type Document = Documents[number];

// The forms of a case file hold what people type as text (a year is typed before it is a number), and these
// functions turn that into the API's sections and back. They are pure, so the rules are tested without a page.

/** The identity section as typed. Aliases are typed one per line. */
export interface IdentityDraft {
  salutation: string;
  title: string;
  firstName: string;
  middleName: string;
  secondName: string;
  aliases: string;
  birthDate: string;
  birthYear: string;
}

/** The contact section as typed. */
export type ContactDraft = Record<keyof Contact, string>;

/** One identity document as typed; `key` tells rows apart while they are edited. */
export interface DocumentDraft {
  key: string;
  type: Document['type'] | '';
  number: string;
  issuingCountry: string;
}

/** The narrative section as typed. */
export type NarrativeDraft = Record<keyof Narrative, string>;

/** The profile section as chosen. */
export interface ProfileDraft {
  gender: NonNullable<Profile['gender']> | '';
  deceased: boolean;
  maritalStatus: NonNullable<Profile['maritalStatus']> | '';
  numberOfChildren: string;
  education: NonNullable<Profile['education']> | '';
  citizenships: string[];
  primaryLanguage: string;
  secondaryLanguage: string;
}

type ListsOf<T> = {
  [K in keyof T as NonNullable<T[K]> extends readonly unknown[] ? K : never]-?: NonNullable<T[K]>;
};

/** The victim context as chosen; "agreement" is yes, no, or not recorded. */
export type VictimDraft = ListsOf<Victim> & {
  agreementToManagePersonalData: '' | 'yes' | 'no';
  traffickingStatus: NonNullable<Victim['traffickingStatus']> | '';
  statusDecidedBy: NonNullable<Victim['statusDecidedBy']> | '';
  relationshipToTrafficker: NonNullable<Victim['relationshipToTrafficker']> | '';
  ageWhenTrafficked: string;
  recruitmentCountry: string;
  forcedLabourIndustry: NonNullable<Victim['forcedLabourIndustry']> | '';
  exploitationCountry: string;
};

/** A whole case file as the intake form holds it. */
export interface CaseDraft {
  openedOn: string;
  identity: IdentityDraft;
  contact: ContactDraft;
  documents: DocumentDraft[];
  narrative: NarrativeDraft;
  profile: ProfileDraft;
  victim: VictimDraft;
}

/** The sections a case form can edit. */
export type SectionName = 'identity' | 'contact' | 'documents' | 'narrative' | 'profile' | 'victim';

let documentKeys = 0;
/** A new, empty document row. */
export function emptyDocument(): DocumentDraft {
  documentKeys += 1;
  return { key: `document-${documentKeys}`, type: '', number: '', issuingCountry: '' };
}

const emptyIdentity = (): IdentityDraft => ({
  salutation: '',
  title: '',
  firstName: '',
  middleName: '',
  secondName: '',
  aliases: '',
  birthDate: '',
  birthYear: '',
});

const emptyContact = (): ContactDraft => ({
  email: '',
  homePhone: '',
  mobilePhone: '',
  street: '',
  city: '',
  state: '',
  postalCode: '',
  country: '',
});

const emptyProfile = (): ProfileDraft => ({
  gender: '',
  deceased: false,
  maritalStatus: '',
  numberOfChildren: '',
  education: '',
  citizenships: [],
  primaryLanguage: '',
  secondaryLanguage: '',
});

const emptyVictim = (): VictimDraft => ({
  agreementToManagePersonalData: '',
  traffickingStatus: '',
  statusDecidedBy: '',
  relationshipToTrafficker: '',
  ageWhenTrafficked: '',
  recruitmentMethods: [],
  recruitmentWebsitesAndApps: [],
  recruitmentCountry: '',
  methodsOfControl: [],
  exploitationTypes: [],
  forcedLabourIndustry: '',
  sexExploitationTypes: [],
  exploitationWebsitesAndApps: [],
  exploitationCountry: '',
  vulnerabilities: [],
});

/** An empty intake, opened on `today` (YYYY-MM-DD). */
export function emptyDraft(today: string): CaseDraft {
  return {
    openedOn: today,
    identity: emptyIdentity(),
    contact: emptyContact(),
    documents: [],
    narrative: { account: '', detailsOfVulnerabilities: '' },
    profile: emptyProfile(),
    victim: emptyVictim(),
  };
}

/** Today in the reader's time zone, as YYYY-MM-DD (what a date input shows). */
export function localToday(now = new Date()): string {
  const offset = now.getTimezoneOffset() * 60_000;
  return new Date(now.getTime() - offset).toISOString().slice(0, 10);
}

/** The text with its ends trimmed, or undefined when nothing is left. */
const text = (value: string): string | undefined => {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** An optional choice: undefined when none was made. */
const choice = <T extends string>(value: T | ''): T | undefined => (value === '' ? undefined : value);

/** A whole number as typed, or undefined when the field is empty. Call checkNumbers first. */
const whole = (value: string): number | undefined => (value.trim() === '' ? undefined : Number(value.trim()));

/** The lines of a text area, trimmed, without empty lines or repeats. */
export function linesOf(value: string): string[] {
  return [...new Set(value.split(/\r?\n/).map((line) => line.trim()))].filter((line) => line !== '');
}

/** Drops undefined values, so the API never sees a key without a value. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The numeric fields of the forms, by their field name. */
export const NUMBER_FIELDS = ['identity.birthYear', 'profile.numberOfChildren', 'victim.ageWhenTrafficked'];

/**
 * The numeric fields that hold something other than a whole number (typed digits in any script are not
 * accepted: the server wants 0–9). Checked before anything is sent, since a number field cannot be sent as
 * typed text.
 */
export function checkNumbers(draft: Pick<CaseDraft, 'identity' | 'profile' | 'victim'>): string[] {
  const values: Record<string, string> = {
    'identity.birthYear': draft.identity.birthYear,
    'profile.numberOfChildren': draft.profile.numberOfChildren,
    'victim.ageWhenTrafficked': draft.victim.ageWhenTrafficked,
  };
  return Object.entries(values)
    .filter(([, value]) => value.trim() !== '' && !/^\d{1,4}$/.test(value.trim()))
    .map(([name]) => name);
}

/** The identity section to send. */
export function toIdentity(draft: IdentityDraft): Identity {
  return compact({
    salutation: text(draft.salutation),
    title: text(draft.title),
    firstName: text(draft.firstName),
    middleName: text(draft.middleName),
    secondName: text(draft.secondName),
    aliases: linesOf(draft.aliases),
    birthDate: text(draft.birthDate),
    birthYear: whole(draft.birthYear),
  });
}

/** The contact section to send. */
export function toContact(draft: ContactDraft): Contact {
  return compact({
    email: text(draft.email),
    homePhone: text(draft.homePhone),
    mobilePhone: text(draft.mobilePhone),
    street: text(draft.street),
    city: text(draft.city),
    state: text(draft.state),
    postalCode: text(draft.postalCode),
    country: text(draft.country),
  });
}

/**
 * The documents to send. A row left completely empty is dropped; a half-filled one is sent, so the server
 * says which part is missing rather than the row silently disappearing.
 */
export function toDocuments(drafts: readonly DocumentDraft[]): Documents {
  return drafts
    .filter((row) => row.type !== '' || row.number.trim() !== '' || row.issuingCountry !== '')
    .map(
      (row) =>
        compact({
          type: row.type,
          number: row.number.trim(),
          issuingCountry: text(row.issuingCountry),
        }) as Document,
    );
}

/** The narrative section to send. */
export function toNarrative(draft: NarrativeDraft): Narrative {
  return compact({
    account: text(draft.account),
    detailsOfVulnerabilities: text(draft.detailsOfVulnerabilities),
  });
}

/** The profile section to send. */
export function toProfile(draft: ProfileDraft): Profile {
  return compact({
    gender: choice(draft.gender),
    // Unticked means "not recorded", not "alive": HTCDS has no way to say the latter apart from the former.
    deceased: draft.deceased ? true : undefined,
    maritalStatus: choice(draft.maritalStatus),
    numberOfChildren: whole(draft.numberOfChildren),
    education: choice(draft.education),
    citizenships: [...draft.citizenships],
    primaryLanguage: text(draft.primaryLanguage),
    secondaryLanguage: text(draft.secondaryLanguage),
  });
}

/** The victim context to send. */
export function toVictim(draft: VictimDraft): Victim {
  return compact({
    agreementToManagePersonalData:
      draft.agreementToManagePersonalData === '' ? undefined : draft.agreementToManagePersonalData === 'yes',
    traffickingStatus: choice(draft.traffickingStatus),
    statusDecidedBy: choice(draft.statusDecidedBy),
    relationshipToTrafficker: choice(draft.relationshipToTrafficker),
    ageWhenTrafficked: whole(draft.ageWhenTrafficked),
    recruitmentMethods: [...draft.recruitmentMethods],
    recruitmentWebsitesAndApps: [...draft.recruitmentWebsitesAndApps],
    recruitmentCountry: text(draft.recruitmentCountry),
    methodsOfControl: [...draft.methodsOfControl],
    exploitationTypes: [...draft.exploitationTypes],
    forcedLabourIndustry: choice(draft.forcedLabourIndustry),
    sexExploitationTypes: [...draft.sexExploitationTypes],
    exploitationWebsitesAndApps: [...draft.exploitationWebsitesAndApps],
    exploitationCountry: text(draft.exploitationCountry),
    vulnerabilities: [...draft.vulnerabilities],
  });
}

/** Whether a section holds anything worth sending (empty lists and empty text do not count). */
export function hasContent(section: object): boolean {
  return Object.values(section).some((value) =>
    Array.isArray(value) ? value.length > 0 : value !== undefined,
  );
}

/**
 * What opening a case sends. Identifying sections left empty are not sent at all, so an intake without a
 * name does not store an encrypted empty name.
 */
export function toCreate(draft: CaseDraft, asDraft: boolean): CaseCreate {
  const identity = toIdentity(draft.identity);
  const contact = toContact(draft.contact);
  const documents = toDocuments(draft.documents);
  const narrative = toNarrative(draft.narrative);
  return compact({
    draft: asDraft,
    openedOn: text(draft.openedOn),
    identity: hasContent(identity) ? identity : undefined,
    contact: hasContent(contact) ? contact : undefined,
    documents: documents.length > 0 ? documents : undefined,
    narrative: hasContent(narrative) ? narrative : undefined,
    profile: toProfile(draft.profile),
    victim: toVictim(draft.victim),
  });
}

/** What saving one section of a case sends: the whole section replaces the stored one. */
export function toSectionUpdate(section: SectionName, draft: CaseDraft, version: number): CaseUpdate {
  switch (section) {
    case 'identity':
      return { version, identity: toIdentity(draft.identity) };
    case 'contact':
      return { version, contact: toContact(draft.contact) };
    case 'documents':
      return { version, documents: toDocuments(draft.documents) };
    case 'narrative':
      return { version, narrative: toNarrative(draft.narrative) };
    case 'profile':
      return { version, profile: toProfile(draft.profile) };
    case 'victim':
      return { version, victim: toVictim(draft.victim) };
  }
}

const textOf = (value: string | number | undefined | null): string =>
  value === undefined || value === null ? '' : String(value);

/** The form's view of a case file, for editing its sections (identifying ones empty unless revealed). */
export function draftOf(file: CaseFile): CaseDraft {
  const identity = file.identity;
  const contact = file.contact;
  const victim = file.victim;
  const profile = file.profile;
  return {
    openedOn: file.openedOn,
    identity: {
      salutation: textOf(identity?.salutation),
      title: textOf(identity?.title),
      firstName: textOf(identity?.firstName),
      middleName: textOf(identity?.middleName),
      secondName: textOf(identity?.secondName),
      aliases: (identity?.aliases ?? []).join('\n'),
      birthDate: textOf(identity?.birthDate),
      birthYear: textOf(identity?.birthYear),
    },
    contact: {
      email: textOf(contact?.email),
      homePhone: textOf(contact?.homePhone),
      mobilePhone: textOf(contact?.mobilePhone),
      street: textOf(contact?.street),
      city: textOf(contact?.city),
      state: textOf(contact?.state),
      postalCode: textOf(contact?.postalCode),
      country: textOf(contact?.country),
    },
    documents: (file.documents ?? []).map((document) => ({
      ...emptyDocument(),
      type: document.type,
      number: document.number,
      issuingCountry: textOf(document.issuingCountry),
    })),
    narrative: {
      account: textOf(file.narrative?.account),
      detailsOfVulnerabilities: textOf(file.narrative?.detailsOfVulnerabilities),
    },
    profile: {
      gender: profile.gender ?? '',
      deceased: profile.deceased === true,
      maritalStatus: profile.maritalStatus ?? '',
      numberOfChildren: textOf(profile.numberOfChildren),
      education: profile.education ?? '',
      citizenships: [...(profile.citizenships ?? [])],
      primaryLanguage: textOf(profile.primaryLanguage),
      secondaryLanguage: textOf(profile.secondaryLanguage),
    },
    victim: {
      agreementToManagePersonalData:
        victim.agreementToManagePersonalData === undefined
          ? ''
          : victim.agreementToManagePersonalData
            ? 'yes'
            : 'no',
      traffickingStatus: victim.traffickingStatus ?? '',
      statusDecidedBy: victim.statusDecidedBy ?? '',
      relationshipToTrafficker: victim.relationshipToTrafficker ?? '',
      ageWhenTrafficked: textOf(victim.ageWhenTrafficked),
      recruitmentMethods: [...(victim.recruitmentMethods ?? [])],
      recruitmentWebsitesAndApps: [...(victim.recruitmentWebsitesAndApps ?? [])],
      recruitmentCountry: textOf(victim.recruitmentCountry),
      methodsOfControl: [...(victim.methodsOfControl ?? [])],
      exploitationTypes: [...(victim.exploitationTypes ?? [])],
      forcedLabourIndustry: victim.forcedLabourIndustry ?? '',
      sexExploitationTypes: [...(victim.sexExploitationTypes ?? [])],
      exploitationWebsitesAndApps: [...(victim.exploitationWebsitesAndApps ?? [])],
      exploitationCountry: textOf(victim.exploitationCountry),
      vulnerabilities: [...(victim.vulnerabilities ?? [])],
    },
  };
}

/** Whether two drafts differ in anything a person typed or chose (row keys do not count). */
export function draftsDiffer(a: CaseDraft, b: CaseDraft): boolean {
  const strip = (draft: CaseDraft) => ({
    ...draft,
    documents: draft.documents.map((row) => ({ ...row, key: '' })),
  });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/**
 * What the duplicate check needs from an intake: the document numbers, or the family name with a birth
 * year (typed, or taken from the birth date). Null when neither is there yet, so nothing is asked.
 */
export function duplicateSelector(
  draft: Pick<CaseDraft, 'identity' | 'documents'>,
): DuplicateCheckInput | null {
  const documentNumbers = [...new Set(draft.documents.map((row) => row.number.trim()))]
    .filter((number) => number !== '' && number.length <= 60)
    .slice(0, 10);
  const secondName = text(draft.identity.secondName);
  const yearText = draft.identity.birthYear.trim() || draft.identity.birthDate.slice(0, 4);
  const birthYear = /^\d{4}$/.test(yearText) ? Number(yearText) : undefined;
  const byName =
    secondName !== undefined && birthYear !== undefined && birthYear >= 1900 && birthYear <= 2100;
  if (documentNumbers.length === 0 && !byName) return null;
  return compact({
    documentNumbers,
    firstName: byName ? text(draft.identity.firstName) : undefined,
    secondName: byName ? secondName : undefined,
    birthYear: byName ? birthYear : undefined,
  });
}
