/**
 * The case file's vocabularies: the picklists of the Human Trafficking Case Data Standard v2.0 (IOM,
 * github.com/UNMigration/HTCDS, CC BY 4.0 — no IOM logo, no implied endorsement; see
 * shared/data/htcds/LICENSE-HTCDS.md), with HTCDS's own value names so exports need no mapping. Where Cairn
 * extends a list, the value is named in `htcdsExtensions` (exports mark it, imports accept it).
 */
import { exploitationTypes, industries } from '../directory/index.js';

export { exploitationTypes, industries };

/** `prs_Gender`. */
export const genders = [
  'Feminine',
  'Masculine',
  'TransgenderFeminine',
  'TransgenderMasculine',
  'NonConforming',
  'NonSpecifiedUnknown',
] as const;

/** `prs_MaritalStatus`. */
export const maritalStatuses = [
  'Single',
  'Married',
  'Widowed',
  'Divorced',
  'Separated',
  'RegisteredPartnership',
] as const;

/** `prs_HighestLevelOfEducation` (ISCED 2011 levels). */
export const educationLevels = [
  'EarlyChildhoodEducation',
  'PrimaryEducation',
  'LowerSecondaryEducation',
  'UpperSecondaryEducation',
  'PostSecondaryNonTertiaryEducation',
  'ShortCycleTertiaryEducation',
  'BachelorsOrEquivalentLevel',
  'MastersOrEquivalentLevel',
  'DoctoralOrEquivalentLevel',
] as const;

/** Kinds of identity document (Cairn's list: HTCDS has one free-text `prs_IdentityNumber`). */
export const documentTypes = [
  'Passport',
  'NationalId',
  'BirthCertificate',
  'WorkPermit',
  'Visa',
  'Other',
] as const;

/** `vic_TraffickingStatus`. */
export const traffickingStatuses = [
  'PossibleVictimOfTrafficking',
  'ActualVictimOfTrafficking',
  'NotAVictimOfTrafficking',
] as const;

/** `vic_TraffickingStatusDecisionMakingOrg`. */
export const decisionMakingOrganisations = [
  'Police',
  'NGO',
  'CourtOrProsecution',
  'NonPoliceGovernmentalOrganization',
  'Other',
] as const;

/** `vic_RelationshipToTrafficker` (the standard spells the last value `Unaquainted`; Cairn keeps it). */
export const relationshipsToTrafficker = ['Familial', 'Acquainted', 'Unaquainted'] as const;

/** `vic_RecruitmentWebsitesAndApps` and `vic_ExploitationWebsitesAndApps`. */
export const websitesAndApps = [
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
] as const;

/** `vic_MethodOfRecruitment`. */
export const recruitmentMethods = [
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
] as const;

/**
 * `vic_MethodsOfControl`, plus `RestrictsMovement`: defined in the standard's definitions but missing from
 * its picklist (shared/data/README.md). The picklist's `DebtBondage ` has a trailing space; Cairn trims it.
 */
export const methodsOfControl = [
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
] as const;

/** `vic_TypeOfSexExploitation`. */
export const sexExploitationTypes = [
  'Prostitution',
  'Pornography',
  'RemoteInteractiveServices',
  'PrivateSexualServices',
] as const;

/** `vic_Vulnerabilities`. */
export const vulnerabilities = [
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
] as const;

/** `per_RoleInProcess`. */
export const perpetratorRoles = [
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
] as const;

/** `cas_Status`. */
export const caseStatuses = ['Active', 'FollowUp', 'Closed', 'ClosedReferred'] as const;
export type CaseStatus = (typeof caseStatuses)[number];
/** The statuses of an open case (closing needs a supervisor's approval). */
export const openStatuses: readonly CaseStatus[] = ['Active', 'FollowUp'];
export const closedStatuses: readonly CaseStatus[] = ['Closed', 'ClosedReferred'];

/** `hte_Type`. */
export const traffickingEventTypes = ['Recruitment', 'Transit', 'Exploitation'] as const;

/** `spl_Type`. */
export const supportPlanTypes = [
  'Education',
  'Financial',
  'Health',
  'LabourExploitationRehabilitation',
  'Legal',
  'Livelihood',
  'RightsBasedTraining',
  'SexualExploitationRehabilitation',
  'SocialCare',
] as const;

/** Where a support-plan item stands (Cairn's: HTCDS records only planned and actual end dates). */
export const supportPlanStatuses = ['Planned', 'InProgress', 'Achieved', 'NotAchieved', 'Cancelled'] as const;

/**
 * What a survivor consents to (HTCDS has one `con_Consent` checkbox; Cairn records each purpose separately,
 * with scope, recipient, expiry and revocation, and checks it wherever data leaves the case). `Matching`: the
 * survivor's own selectors (names, contact, documents) take part in overlap detection, as keyed blind indexes.
 */
export const consentPurposes = [
  'Care',
  'Referral',
  'Transfer',
  'JourneyMap',
  'Research',
  'Matching',
] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

/** The sections of a case file: the unit of consent scope, field-level access and read auditing. */
export const caseSections = [
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
] as const;
export type CaseSection = (typeof caseSections)[number];

/** Sections that identify the survivor: encrypted at rest, shown only after a recent step-up. */
export const identifyingSections: readonly CaseSection[] = ['identity', 'contact', 'documents', 'narrative'];

/** Values Cairn adds to HTCDS picklists, per HTCDS field: marked as extensions in exports. */
export const htcdsExtensions: Record<string, readonly string[]> = {
  vic_MethodsOfControl: ['RestrictsMovement'],
  vic_TypeOfExploitation: ['ForcedCriminality'],
};

/** How long a break-glass opening of a case lasts. */
export const breakGlassMinutes = 60;
/** Cells of an analyst's statistics below this are shown as "fewer than" (a small count can point at a person). */
export const statisticsThreshold = 5;
