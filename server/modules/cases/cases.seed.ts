import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { demoContext } from '../identity/index.js';
import { addEntry, recordConsent } from './cases.entries.service.js';
import { victimSectionSchema, type CaseFileCreate, type EntryInput } from './cases.schemas.js';
import { createCaseFile, decideClosure, requestClosure } from './cases.service.js';

/**
 * Demo case files for `npm start`: invented people (no real survivor's story), written through the same use
 * cases as the API so they are sealed, indexed and audited like any other case.
 */

interface DemoCase {
  by: string;
  file: Omit<CaseFileCreate, 'draft'> & { draft?: boolean };
  entries?: EntryInput[];
  consent?: boolean;
  close?: { approvedBy: string; status: 'Closed' | 'ClosedReferred'; reason: string };
}

const tumainiWorker = 'caseworker.tumaini@demo.cairn';
const tumainiSupervisor = 'supervisor@demo.cairn';
const mekongWorker = 'caseworker@demo.cairn';

/** The victim section with nothing recorded (the schema's defaults). */
const emptyVictim = victimSectionSchema.parse({});

function demoCases(): DemoCase[] {
  return [
    {
      by: tumainiWorker,
      file: {
        identity: { firstName: 'Neema', secondName: 'Mwakyusa (demo)', aliases: [], birthYear: 2004 },
        contact: { mobilePhone: '+255 700 000 101', city: 'Mbeya', country: 'TZ' },
        documents: [{ type: 'Passport', number: 'DEMO-TZ-0001', issuingCountry: 'TZ' }],
        narrative: {
          account:
            'Recruited by an agent for housework in Oman; passport taken on arrival, no day off, wages withheld. ' +
            'Reached the embassy with help from another worker. (Invented demo case.)',
        },
        profile: {
          gender: 'Feminine',
          citizenships: ['TZ'],
          primaryLanguage: 'sw',
          education: 'LowerSecondaryEducation',
        },
        victim: {
          ...emptyVictim,
          traffickingStatus: 'ActualVictimOfTrafficking',
          statusDecidedBy: 'NGO',
          recruitmentMethods: ['ThroughFriendsOrSocialEvents'],
          methodsOfControl: [
            'WithholdsDocuments',
            'TakesEarnings',
            'RestrictsMovement',
            'ExcessiveWorkingHours',
          ],
          exploitationTypes: ['ForcedLabour', 'Servitude'],
          forcedLabourIndustry: 'T_ActivitiesOfHouseholdsAsEmployers',
          recruitmentCountry: 'TZ',
          exploitationCountry: 'OM',
          vulnerabilities: ['Poverty', 'Migration'],
        },
      },
      entries: [
        {
          kind: 'event',
          type: 'Recruitment',
          country: 'TZ',
          date: '2024-02-10',
          description: 'Met the agent in Mbeya.',
        },
        { kind: 'event', type: 'Exploitation', country: 'OM', date: '2024-03-01' },
        {
          kind: 'perpetrator',
          roles: ['RecruiterOrIntermediary'],
          nationality: 'TZ',
          aliases: [],
          name: 'Agent "Baraka" (demo)',
        },
        {
          kind: 'supportPlan',
          type: 'Health',
          status: 'InProgress',
          plannedEndDate: '2027-03-31',
          objectives: 'Counselling twice a month.',
        },
        {
          kind: 'supportPlan',
          type: 'Livelihood',
          status: 'Planned',
          plannedEndDate: '2027-06-30',
          objectives: 'Tailoring course.',
        },
        { kind: 'followUp', dueOn: '2026-12-03', note: 'Call about the tailoring course.', done: false },
        {
          kind: 'comment',
          body: 'First meeting at the safe home; she asked that her family not be contacted yet.',
        },
      ],
      consent: true,
    },
    {
      by: tumainiWorker,
      file: {
        identity: { firstName: 'Achieng', secondName: 'Otieno (demo)', aliases: ['Aki'], birthYear: 2008 },
        profile: { gender: 'Feminine', citizenships: ['KE'], primaryLanguage: 'sw' },
        victim: {
          ...emptyVictim,
          traffickingStatus: 'PossibleVictimOfTrafficking',
          recruitmentMethods: ['ThroughOnlineSocialNetworks'],
          recruitmentWebsitesAndApps: ['Facebook', 'WhatsApp'],
          exploitationTypes: ['SexualExploitation'],
          sexExploitationTypes: ['Prostitution'],
          exploitationCountry: 'KE',
          vulnerabilities: ['AbuseSocialMedia', 'Homelessness'],
        },
      },
      entries: [{ kind: 'followUp', dueOn: '2026-11-20', note: 'School re-enrolment meeting.', done: false }],
    },
    {
      by: tumainiWorker,
      file: {
        identity: { firstName: 'Grace', secondName: 'Nakato (demo)', aliases: [], birthYear: 1996 },
        profile: { gender: 'Feminine', citizenships: ['UG'], primaryLanguage: 'lg' },
        victim: {
          ...emptyVictim,
          traffickingStatus: 'ActualVictimOfTrafficking',
          exploitationTypes: ['ForcedLabour'],
          forcedLabourIndustry: 'I_AccommodationAndFoodServiceActivities',
          exploitationCountry: 'SA',
          methodsOfControl: ['DebtBondage', 'FalsePromises'],
        },
      },
      close: {
        approvedBy: tumainiSupervisor,
        status: 'Closed',
        reason: 'Reintegrated; support plan completed.',
      },
    },
    {
      by: tumainiWorker,
      file: {
        draft: true,
        identity: { firstName: 'Unnamed boy (demo)', aliases: [] },
        profile: { gender: 'Masculine', citizenships: [] },
      },
    },
    {
      by: mekongWorker,
      file: {
        identity: { firstName: 'Vannak', secondName: 'Sok (demo)', aliases: [], birthYear: 1999 },
        documents: [{ type: 'NationalId', number: 'DEMO-KH-0042', issuingCountry: 'KH' }],
        profile: { gender: 'Masculine', citizenships: ['KH'], primaryLanguage: 'km' },
        victim: {
          ...emptyVictim,
          traffickingStatus: 'ActualVictimOfTrafficking',
          recruitmentMethods: ['ThroughAnOnlineAdvertisement'],
          recruitmentWebsitesAndApps: ['Telegram'],
          exploitationTypes: ['ForcedCriminality'],
          methodsOfControl: ['PhysicalAbuse', 'DebtBondage', 'RestrictsMovement'],
          exploitationCountry: 'MM',
          vulnerabilities: ['Poverty'],
        },
      },
      entries: [
        { kind: 'event', type: 'Transit', country: 'TH', date: '2025-05-02' },
        {
          kind: 'event',
          type: 'Exploitation',
          country: 'MM',
          date: '2025-05-05',
          description: 'Scam compound near the border.',
        },
        {
          kind: 'supportPlan',
          type: 'Legal',
          status: 'InProgress',
          plannedEndDate: '2027-01-31',
          objectives: 'Victim status recognised by police.',
        },
      ],
      consent: true,
    },
  ];
}

/** Seeds the demo case files (after identity: it needs the demo caseworkers and supervisors). */
export async function seedCases(kernel: Kernel): Promise<DemoAccount[]> {
  for (const demo of demoCases()) {
    const ctx = await demoContext(kernel, demo.by);
    const file = await createCaseFile(ctx, { draft: false, ...demo.file });
    for (const entry of demo.entries ?? []) await addEntry(ctx, file.id, entry);
    if (demo.consent) {
      await recordConsent(ctx, file.id, {
        purpose: 'Care',
        sections: ['identity', 'contact', 'profile', 'victim', 'supportPlan'],
        givenOn: file.openedOn,
      });
      await recordConsent(ctx, file.id, {
        purpose: 'JourneyMap',
        sections: ['events', 'victim'],
        givenOn: file.openedOn,
      });
    }
    if (demo.close) {
      await requestClosure(ctx, file.id, { status: demo.close.status, reason: demo.close.reason });
      await decideClosure(await demoContext(kernel, demo.close.approvedBy), file.id, 'approve');
    }
  }
  return [];
}
