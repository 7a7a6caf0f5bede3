import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation } from '../../test/factories.js';
import {
  matchesInbox,
  matchingCall,
  matchingSessionIn,
  registerSubjectAs,
  type MatchingSession,
} from '../../test/matching.js';
import type { Match } from './matching.schemas.js';

/**
 * An agreement the side later withdrew (agree, then dismiss) must not be shown to the other side as "they agreed":
 * agreeing after that does not put the pair in contact, and the hand-off thread stays closed to both.
 */
describe('matching: an agreement later dismissed', () => {
  let t: TestApp;
  let screenerA: MatchingSession;
  let screenerB: MatchingSession;

  const act = (session: MatchingSession, id: string, action: string) =>
    matchingCall(t, session, 'POST', `/api/matching/matches/${id}/actions`, { action });
  const thread = (session: MatchingSession, id: string) =>
    matchingCall(t, session, 'GET', `/api/threads?subjectKind=match&subjectId=${id}`);

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const orgA = (await createOrganisation(t.database.db)).id;
    const orgB = (await createOrganisation(t.database.db, { type: 'law_enforcement' })).id;
    screenerA = await matchingSessionIn(t, orgA, 'case_supervisor');
    screenerB = await matchingSessionIn(t, orgB, 'investigator');
  });
  afterAll(() => t.close());

  it('no longer counts as agreed for the other side, which then waits instead of connecting', async () => {
    const selectors = [{ type: 'phone', number: '+254 722 408 913' }];
    await registerSubjectAs(t, screenerA, { kind: 'alert', title: 'Alert 1', selectors });
    await registerSubjectAs(t, screenerB, { kind: 'investigation', title: 'Investigation 1', selectors });
    const [match] = await matchesInbox(t, screenerA);
    expect(match).toBeDefined();
    const id = match!.id;

    expect((await act(screenerA, id, 'agree')).json<Match>()).toMatchObject({ agreedByUs: true });
    const ofB = (await matchingCall(t, screenerB, 'GET', `/api/matching/matches/${id}`)).json<Match>();
    expect(ofB).toMatchObject({ status: 'new', agreedByThem: true });

    const dismissed = await act(screenerA, id, 'dismiss');
    expect(dismissed.statusCode, dismissed.body).toBe(200);
    expect(dismissed.json<Match>()).toMatchObject({ status: 'dismissed' });
    const after = (await matchingCall(t, screenerB, 'GET', `/api/matching/matches/${id}`)).json<Match>();
    expect(after).toMatchObject({ status: 'new', agreedByThem: false });

    const agreedB = await act(screenerB, id, 'agree');
    expect(agreedB.json<Match>()).toMatchObject({ status: 'new', agreedByUs: true, agreedByThem: false });
    expect((await thread(screenerB, id)).statusCode).toBe(404);
    expect((await thread(screenerA, id)).statusCode).toBe(404);
  });
});
