import { EXPLOITATION_TYPES, INDUSTRIES } from '../directory/vocabulary';
import type { CaseFile, Consent, Entry, EntryInput } from './api';

type ItemOf<List> = List extends readonly (infer Item)[] ? Item : never;
type Profile = CaseFile['profile'];
type Victim = CaseFile['victim'];
type InputOf<Kind extends EntryInput['kind']> = Extract<EntryInput, { kind: Kind }>;

/**
 * Builds a list of every value of a union, in the order people should see them. The server owns the values
 * (server/modules/cases/cases.vocabulary.ts, the HTCDS v2 picklists); through the generated API types the
 * compiler rejects a list that invents a value or misses one, so a new server value cannot go untranslated.
 */
function allOf<Union extends string>() {
  return <const List extends readonly Union[]>(
    list: List &
      ([Exclude<Union, List[number]>] extends [never] ? unknown : { missing: Exclude<Union, List[number]> }),
  ): List => list;
}

// The lists keep the server's order, which is the standard's; vocabulary.test.ts checks them against
// docs/openapi.json.

/** `prs_Gender`. */
export const GENDERS = allOf<NonNullable<Profile['gender']>>()([
  'Feminine',
  'Masculine',
  'TransgenderFeminine',
  'TransgenderMasculine',
  'NonConforming',
  'NonSpecifiedUnknown',
]);

/** `prs_MaritalStatus`. */
export const MARITAL_STATUSES = allOf<NonNullable<Profile['maritalStatus']>>()([
  'Single',
  'Married',
  'Widowed',
  'Divorced',
  'Separated',
  'RegisteredPartnership',
]);

/** `prs_HighestLevelOfEducation` (ISCED 2011). */
export const EDUCATION_LEVELS = allOf<NonNullable<Profile['education']>>()([
  'EarlyChildhoodEducation',
  'PrimaryEducation',
  'LowerSecondaryEducation',
  'UpperSecondaryEducation',
  'PostSecondaryNonTertiaryEducation',
  'ShortCycleTertiaryEducation',
  'BachelorsOrEquivalentLevel',
  'MastersOrEquivalentLevel',
  'DoctoralOrEquivalentLevel',
]);

/** Kinds of identity document. */
export const DOCUMENT_TYPES = allOf<NonNullable<CaseFile['documents']>[number]['type']>()([
  'Passport',
  'NationalId',
  'BirthCertificate',
  'WorkPermit',
  'Visa',
  'Other',
]);

/** `vic_TraffickingStatus`. */
export const TRAFFICKING_STATUSES = allOf<NonNullable<Victim['traffickingStatus']>>()([
  'PossibleVictimOfTrafficking',
  'ActualVictimOfTrafficking',
  'NotAVictimOfTrafficking',
]);

/** `vic_TraffickingStatusDecisionMakingOrg`. */
export const DECISION_MAKERS = allOf<NonNullable<Victim['statusDecidedBy']>>()([
  'Police',
  'NGO',
  'CourtOrProsecution',
  'NonPoliceGovernmentalOrganization',
  'Other',
]);

/** `vic_RelationshipToTrafficker` (the standard's spelling of `Unaquainted` is kept). */
export const RELATIONSHIPS = allOf<NonNullable<Victim['relationshipToTrafficker']>>()([
  'Familial',
  'Acquainted',
  'Unaquainted',
]);

/** `vic_RecruitmentWebsitesAndApps` and `vic_ExploitationWebsitesAndApps`. */
export const WEBSITES_AND_APPS = allOf<ItemOf<NonNullable<Victim['recruitmentWebsitesAndApps']>>>()([
  'Facebook',
  'Instagram',
  'WhatsApp',
  'Telegram',
  'FacebookMessenger',
  'Viber',
  'SnapChat',
  'Line',
  '4Sale',
  'WeChat',
  'QQ',
  'QZone',
  'TikTok',
  'Twitter',
  'Other',
]);

/** `vic_MethodOfRecruitment`. */
export const RECRUITMENT_METHODS = allOf<ItemOf<NonNullable<Victim['recruitmentMethods']>>>()([
  'AtAPlaceOfBusiness',
  'AtAnEducationalInstitution',
  'AtWork',
  'ThroughOnlineSocialNetworks',
  'ThroughAnOnlineAdvertisement',
  'ThroughATelevisionAdvert',
  'ThroughANewspaperAdvert',
  'ThroughFamilyOrFamilyEvents',
  'ThroughFriendsOrSocialEvents',
  'Other',
]);

/** `vic_MethodsOfControl`, plus Cairn's `RestrictsMovement`. */
export const METHODS_OF_CONTROL = allOf<ItemOf<NonNullable<Victim['methodsOfControl']>>>()([
  'PhysicalThreats',
  'ThreatsLawEnforcement',
  'ThreatensChildrenFamily',
  'DebtBondage',
  'FalsePromises',
  'PhysicalAbuse',
  'SexualAbuse',
  'TakesEarnings',
  'RestrictsFinancialAccess',
  'RestrictsMedicalCare',
  'WithholdsNecessities',
  'PsychologicalAbuse',
  'PsychoactiveSubstance',
  'ExcessiveWorkingHours',
  'WithholdsDocuments',
  'RestrictsMovement',
  'Other',
]);

/** `vic_TypeOfSexExploitation`. */
export const SEX_EXPLOITATION_TYPES = allOf<ItemOf<NonNullable<Victim['sexExploitationTypes']>>>()([
  'Prostitution',
  'Pornography',
  'RemoteInteractiveServices',
  'PrivateSexualServices',
]);

/** `vic_Vulnerabilities`. */
export const VULNERABILITIES = allOf<ItemOf<NonNullable<Victim['vulnerabilities']>>>()([
  'Addiction',
  'SocialGroup',
  'Discrimination',
  'Poverty',
  'DisabilityAndPhysicalHealth',
  'MentalHealth',
  'Migration',
  'Homelessness',
  'AbuseSocialMedia',
  'AbusePhysical',
  'Education',
  'WorkEnvironment',
]);

/** `per_RoleInProcess`. */
export const PERPETRATOR_ROLES = allOf<ItemOf<InputOf<'perpetrator'>['roles']>>()([
  'TravellingPartner',
  'Transporter',
  'RecruiterOrIntermediary',
  'BrokerTravelAgent',
  'TransferredIndividual',
  'HarbouredIndividual',
  'SoldIndividual',
  'BoughtIndividual',
  'ReceivedIndividual',
  'ControlledIndividual',
  'Smuggler',
  'Abuser',
  'Kidnapper',
  'Exploiter',
  'Other',
]);

/** `cas_Status`. */
export const CASE_STATUSES = allOf<CaseFile['status']>()(['Active', 'FollowUp', 'Closed', 'ClosedReferred']);
/** The statuses a closure may ask for. */
export const CLOSED_STATUSES = ['Closed', 'ClosedReferred'] as const;

/** `hte_Type`. */
export const EVENT_TYPES = allOf<InputOf<'event'>['type']>()(['Recruitment', 'Transit', 'Exploitation']);

/** `spl_Type`. */
export const SUPPORT_PLAN_TYPES = allOf<InputOf<'supportPlan'>['type']>()([
  'Education',
  'Financial',
  'Health',
  'LabourExploitationRehabilitation',
  'Legal',
  'Livelihood',
  'RightsBasedTraining',
  'SexualExploitationRehabilitation',
  'SocialCare',
]);

/** Where a support-plan item stands. */
export const SUPPORT_PLAN_STATUSES = allOf<NonNullable<InputOf<'supportPlan'>['status']>>()([
  'Planned',
  'InProgress',
  'Achieved',
  'NotAchieved',
  'Cancelled',
]);

/** What a survivor consents to, one purpose per record. */
export const CONSENT_PURPOSES = allOf<Consent['purpose']>()([
  'Care',
  'Referral',
  'Transfer',
  'JourneyMap',
  'Research',
  'Matching',
]);

/** The purposes whose consent names the organisation the survivor agreed to (a referral's or a transfer's). */
export const PURPOSES_WITH_RECIPIENT: readonly Consent['purpose'][] = ['Referral', 'Transfer'];

/** The sections of a case file: the unit of consent scope and of read auditing. */
export const CASE_SECTIONS = allOf<ItemOf<Consent['sections']>>()([
  'identity',
  'contact',
  'documents',
  'profile',
  'victim',
  'narrative',
  'perpetrators',
  'events',
  'supportPlan',
  'comments',
  'followUps',
  'consents',
]);

/** Sections that identify the survivor: encrypted at rest, shown only after a recent step-up. */
export const IDENTIFYING_SECTIONS = ['identity', 'contact', 'documents', 'narrative'] as const;

/** Kinds of entry, in the order the case file shows them. */
export const ENTRY_KINDS = allOf<Entry['kind']>()([
  'perpetrator',
  'event',
  'supportPlan',
  'followUp',
  'comment',
]);

/** Exploitation types and industries are the directory's (the same HTCDS lists, translated there). */
export { EXPLOITATION_TYPES, INDUSTRIES };

/**
 * Every case vocabulary by the name its translations live under: `cases.vocabulary.<name>.<code>`.
 */
export const VOCABULARIES = {
  genders: GENDERS,
  maritalStatuses: MARITAL_STATUSES,
  educationLevels: EDUCATION_LEVELS,
  documentTypes: DOCUMENT_TYPES,
  traffickingStatuses: TRAFFICKING_STATUSES,
  decisionMakers: DECISION_MAKERS,
  relationships: RELATIONSHIPS,
  websitesAndApps: WEBSITES_AND_APPS,
  recruitmentMethods: RECRUITMENT_METHODS,
  methodsOfControl: METHODS_OF_CONTROL,
  sexExploitationTypes: SEX_EXPLOITATION_TYPES,
  vulnerabilities: VULNERABILITIES,
  perpetratorRoles: PERPETRATOR_ROLES,
  caseStatuses: CASE_STATUSES,
  eventTypes: EVENT_TYPES,
  supportPlanTypes: SUPPORT_PLAN_TYPES,
  supportPlanStatuses: SUPPORT_PLAN_STATUSES,
  consentPurposes: CONSENT_PURPOSES,
  sections: CASE_SECTIONS,
} as const;

/** The name of a case vocabulary. */
export type VocabularyName = keyof typeof VOCABULARIES;

/** The translation key of one code of a case vocabulary, e.g. `cases.vocabulary.genders.Feminine`. */
export function vocabularyKey(vocabulary: VocabularyName, code: string): string {
  return `cases.vocabulary.${vocabulary}.${code}`;
}

/**
 * Values Cairn adds to HTCDS picklists (server: `htcdsExtensions`). The form marks them, as the issue asks,
 * so nobody mistakes them for the standard's own values when comparing with other HTCDS data.
 */
export const HTCDS_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  methodsOfControl: ['RestrictsMovement'],
  exploitationTypes: ['ForcedCriminality'],
};

/** Whether a value is Cairn's addition to an HTCDS list. */
export function isExtension(vocabulary: string, code: string): boolean {
  return HTCDS_EXTENSIONS[vocabulary]?.includes(code) ?? false;
}

/** Whether a string is one of a list's values (for URL parameters and select boxes). */
export function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (list as readonly string[]).includes(value);
}
