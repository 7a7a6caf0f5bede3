import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Role } from '../kernel/access/roles.js';
import type { CaseFile } from '../modules/cases/cases.schemas.js';
import type { TestApp } from './app.js';
import { pdf } from './attachments.js';
import { stepUp } from './cases.js';
import { createMember, signIn } from './factories.js';

/** A signed-in member of an organisation, with what the transfer tests need to know about them. */
export interface Session {
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
  organisationId: string;
}

/** Signs in a new member of an organisation in a role. */
export async function sessionIn(t: TestApp, organisationId: string, role: Role): Promise<Session> {
  const m = await createMember(t.database.db, { role, organisationId });
  const { cookie, sessionId } = await signIn(t.database.db, m.personId, { membershipId: m.membership.id });
  return { cookie, sessionId, personId: m.personId, membershipId: m.membership.id, organisationId };
}

/** Calls the API as a session (or anonymously). */
export function call(
  t: TestApp,
  session: Session | null,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
) {
  return t.app.inject({
    method,
    url,
    headers: session ? { cookie: session.cookie } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** Something unique to find in places it must never reach (logs, mail, audit, error bodies). */
export const canary = () => `Canary${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** What a full case holds, so a test can compare it before and after a move. */
export interface FullCase {
  file: CaseFile;
  marker: string;
  documentNumber: string;
  attachmentId: string;
  attachmentBytes: Buffer;
  attachmentName: string;
}

/**
 * Opens a case at the worker's organisation with every part a move must carry: the four identifying sections
 * (and so lookup digests), entries of several kinds (a follow-up assigned to the worker), a Care consent with a
 * note and — when `transferTo` is given — a Transfer consent naming that organisation, and a PDF attachment.
 */
export async function buildFullCase(
  t: TestApp,
  worker: Session,
  options: { transferTo?: string } = {},
): Promise<FullCase> {
  const marker = canary();
  const documentNumber = `P${marker}`;
  await stepUp(t.database.db, worker.sessionId);
  const created = await call(t, worker, 'POST', '/api/cases', {
    identity: { firstName: `${marker}First`, secondName: `${marker}Family`, birthYear: 1998, aliases: [] },
    contact: { mobilePhone: `+255 ${marker}`, city: `${marker}City`, country: 'TZ' },
    documents: [{ type: 'Passport', number: documentNumber, issuingCountry: 'TZ' }],
    narrative: { account: `${marker} account of recruitment through a cousin` },
    profile: { gender: 'Feminine', citizenships: ['TZ'], primaryLanguage: 'sw' },
    victim: { traffickingStatus: 'PossibleVictimOfTrafficking', exploitationTypes: ['ForcedLabour'] },
  });
  expect(created.statusCode, created.body).toBe(201);
  const caseId = created.json<CaseFile>().id;
  const entries = [
    { kind: 'perpetrator', roles: ['Exploiter'], name: `${marker} Boss`, phone: `+968 ${marker}` },
    { kind: 'followUp', dueOn: '2026-02-01', note: `${marker} call the shelter` },
    { kind: 'comment', body: `${marker} said she wants to go home` },
    { kind: 'supportPlan', type: 'Legal', objectives: `${marker} residence permit` },
  ];
  for (const entry of entries) {
    const added = await call(t, worker, 'POST', `/api/cases/${caseId}/entries`, entry);
    expect(added.statusCode, added.body).toBe(201);
  }
  const consents: Record<string, unknown>[] = [
    {
      purpose: 'Care',
      sections: ['identity', 'profile'],
      givenOn: '2026-01-02',
      note: `${marker} care note`,
    },
  ];
  if (options.transferTo)
    consents.push({
      purpose: 'Transfer',
      recipientOrganisationId: options.transferTo,
      sections: ['identity', 'profile', 'victim'],
      givenOn: '2026-01-03',
      note: `${marker} agreed to move`,
    });
  for (const consent of consents) {
    const recorded = await call(t, worker, 'POST', `/api/cases/${caseId}/consents`, consent);
    expect(recorded.statusCode, recorded.body).toBe(201);
  }
  const attachmentBytes = pdf({ text: `${marker} passport scan` });
  const attachmentName = `${marker}-passport.pdf`;
  const uploaded = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/attachments`,
    headers: {
      cookie: worker.cookie,
      'content-type': 'application/pdf',
      'x-file-name': encodeURIComponent(attachmentName),
    },
    payload: attachmentBytes,
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const file = await call(t, worker, 'GET', `/api/cases/${caseId}?reveal=true`);
  expect(file.statusCode, file.body).toBe(200);
  const download = await call(
    t,
    worker,
    'GET',
    `/api/cases/${caseId}/attachments/${uploaded.json<{ id: string }>().id}/content`,
  );
  expect(download.statusCode, download.body).toBe(200);
  return {
    file: file.json<CaseFile>(),
    marker,
    documentNumber,
    attachmentId: uploaded.json<{ id: string }>().id,
    attachmentBytes: download.rawPayload,
    attachmentName,
  };
}

/** The parts of a case file a move must carry unchanged (what belongs to the survivor's record). */
export function carriedContent(file: CaseFile) {
  return {
    identity: file.identity,
    contact: file.contact,
    documents: file.documents,
    narrative: file.narrative,
    profile: file.profile,
    victim: file.victim,
    status: file.status,
    openedOn: file.openedOn,
    entries: file.entries.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      fields: entry.fields,
      dueOn: entry.dueOn,
      doneAt: entry.doneAt,
      createdAt: entry.createdAt,
    })),
    consents: file.consents.map((consent) => ({
      id: consent.id,
      purpose: consent.purpose,
      recipientOrganisation: consent.recipientOrganisation,
      sections: consent.sections,
      givenOn: consent.givenOn,
      note: consent.note,
      active: consent.active,
    })),
  };
}
