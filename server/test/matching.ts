import { expect } from 'vitest';
import type { Role } from '../kernel/access/roles.js';
import type { Match, Subject } from '../modules/matching/matching.schemas.js';
import type { TestApp } from './app.js';
import { stepUp } from './cases.js';
import { createMember, createPerson, signIn } from './factories.js';

/** A signed-in member, as the matching tests call the API. */
export interface MatchingSession {
  cookie: string;
  personId: string;
}

/**
 * Signs in a new member of an organisation in a role, with a passkey and a fresh step-up (the cases routes a
 * screener may also use ask for one).
 */
export async function matchingSessionIn(
  t: TestApp,
  organisationId: string,
  role: Role,
): Promise<MatchingSession> {
  const db = t.database.db;
  const person = await createPerson(db, { passkey: role !== 'member' });
  const m = await createMember(db, { role, organisationId, personId: person.id });
  const { cookie, sessionId } = await signIn(db, m.personId, { membershipId: m.membership.id });
  await stepUp(db, sessionId);
  return { cookie, personId: m.personId };
}

/** Calls the API as a session. */
export function matchingCall(
  t: TestApp,
  session: MatchingSession,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
) {
  return t.app.inject({
    method,
    url,
    headers: { cookie: session.cookie },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** Registers a subject by hand (POST /api/matching/subjects), expecting it to be accepted. */
export async function registerSubjectAs(
  t: TestApp,
  session: MatchingSession,
  body: Record<string, unknown>,
): Promise<Subject> {
  const response = await matchingCall(t, session, 'POST', '/api/matching/subjects', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Subject>();
}

/** One organisation's matches inbox as a session sees it. */
export async function matchesInbox(t: TestApp, session: MatchingSession): Promise<Match[]> {
  const response = await matchingCall(t, session, 'GET', '/api/matching/matches');
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ items: Match[] }>().items;
}
