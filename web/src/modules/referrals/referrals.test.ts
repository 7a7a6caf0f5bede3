import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/problem';
import type { CaseFile } from '../cases/api';
import { referralKeys, threadKeys, type Message, type Thread } from './api';
import { caseReferralRows } from './CaseReferrals';
import { coveredSections } from './consent';
import { applyEvent, catchUp, stateEventOf, threadIdOf } from './live';
import { mentionableOf } from './mentions';
import { newPartnerOf } from './tiers';

type Consent = CaseFile['consents'][number];
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

function consent(patch: Partial<Consent>): Consent {
  return {
    id: crypto.randomUUID(),
    purpose: 'Referral',
    recipientOrganisation: { id: B, name: 'B' },
    sections: ['profile'],
    givenOn: '2026-01-01',
    expiresOn: null,
    note: null,
    recordedBy: null,
    revokedAt: null,
    active: true,
    ...patch,
  };
}

describe('coveredSections', () => {
  it('takes the sections of live Referral consents naming this recipient, and nothing else', () => {
    const consents = [
      consent({ sections: ['profile', 'victim'] }),
      consent({ sections: ['identity'], active: false }),
      consent({ sections: ['contact'], recipientOrganisation: { id: C, name: 'C' } }),
      consent({ sections: ['narrative'], purpose: 'Care', recipientOrganisation: null }),
    ];
    expect([...coveredSections({ consents }, B)].sort()).toEqual(['profile', 'victim']);
    expect([...coveredSections({ consents }, C)]).toEqual(['contact']);
    expect(coveredSections({ consents }, undefined).size).toBe(0);
  });
});

describe('live thread events', () => {
  const threadId = '00000000-0000-4000-8000-0000000000aa';

  it('reads the thread id of an event and ignores malformed bodies', () => {
    expect(threadIdOf(JSON.stringify({ threadId, messageId: 'x' }))).toBe(threadId);
    expect(threadIdOf('not json')).toBeUndefined();
    expect(threadIdOf(JSON.stringify({ threadId: 3 }))).toBeUndefined();
    expect(threadIdOf(undefined)).toBeUndefined();
  });

  function seeded() {
    const client = new QueryClient();
    client.setQueryData(threadKeys.unread, { total: 0, threads: [] });
    client.setQueryData(threadKeys.one(threadId), { id: threadId, messages: [] });
    client.setQueryData(threadKeys.one('other'), { id: 'other', messages: [] });
    client.setQueryData(threadKeys.ofSubject('referral', 'r'), { items: [] });
    client.setQueryData(threadKeys.ofSubject('referral', 'found'), { items: [{ id: threadId }] });
    const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated ?? false;
    return { client, stale };
  }

  it('a message invalidates its thread, the unread counts and the subject lists, not other threads', async () => {
    const { client, stale } = seeded();
    applyEvent(client, 'message', JSON.stringify({ threadId, messageId: 'm' }));
    // The thread is caught up asynchronously (here: nothing on screen watches it, so it is invalidated).
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stale(threadKeys.one(threadId))).toBe(true);
    expect(stale(threadKeys.unread)).toBe(true);
    expect(stale(threadKeys.ofSubject('referral', 'r'))).toBe(true);
    expect(stale(threadKeys.one('other'))).toBe(false);
    // A page that already has its thread does not need to look for it again.
    expect(stale(threadKeys.ofSubject('referral', 'found'))).toBe(false);
  });

  it('a read receipt refreshes only its thread; a resync refreshes every thread query', () => {
    const { client, stale } = seeded();
    applyEvent(client, 'read', JSON.stringify({ threadId }));
    expect(stale(threadKeys.one(threadId))).toBe(true);
    expect(stale(threadKeys.unread)).toBe(false);
    applyEvent(client, 'resync', '{}');
    expect(stale(threadKeys.one('other'))).toBe(true);
    expect(stale(threadKeys.unread)).toBe(true);
  });
});

describe('live state events', () => {
  const referralId = '00000000-0000-4000-8000-0000000000c1';
  const transferId = '00000000-0000-4000-8000-0000000000d1';

  it('reads a state event and ignores malformed or unknown ones', () => {
    const event = { kind: 'referral', id: referralId, state: 'accepted' };
    expect(stateEventOf(JSON.stringify(event))).toEqual(event);
    expect(stateEventOf(JSON.stringify({ ...event, kind: 'case' }))).toBeUndefined();
    expect(stateEventOf(JSON.stringify({ kind: 'transfer', id: transferId }))).toBeUndefined();
    expect(stateEventOf('not json')).toBeUndefined();
    expect(stateEventOf(undefined)).toBeUndefined();
  });

  function seeded() {
    const client = new QueryClient();
    const keys = {
      referral: referralKeys.one(referralId),
      otherReferral: referralKeys.one('other'),
      referralList: referralKeys.list({ box: 'sent', limit: 25 }),
      caseList: referralKeys.list({ box: 'sent', caseId: 'case', limit: 25 }),
      statistics: referralKeys.statistics,
      transfer: referralKeys.transfer(transferId),
      transferList: referralKeys.transferList({ box: 'received', limit: 25 }),
      subjectThreads: threadKeys.ofSubject('referral', referralId),
      thread: threadKeys.one('t1'),
      otherThread: threadKeys.one('t2'),
      unread: threadKeys.unread,
    };
    for (const key of Object.values(keys)) client.setQueryData(key, {});
    client.setQueryData(keys.thread, { id: 't1', subjectId: referralId, messages: [] });
    client.setQueryData(keys.otherThread, { id: 't2', subjectId: 'elsewhere', messages: [] });
    const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated ?? false;
    return { client, keys, stale };
  }

  it('a referral’s new state refreshes its page, the referral lists and its thread, nothing else', () => {
    const { client, keys, stale } = seeded();
    applyEvent(client, 'state', JSON.stringify({ kind: 'referral', id: referralId, state: 'accepted' }));
    for (const key of [keys.referral, keys.referralList, keys.caseList, keys.subjectThreads, keys.thread])
      expect(stale(key), JSON.stringify(key)).toBe(true);
    for (const key of [
      keys.otherReferral,
      keys.statistics,
      keys.transfer,
      keys.transferList,
      keys.otherThread,
    ])
      expect(stale(key), JSON.stringify(key)).toBe(false);
    expect(stale(keys.unread)).toBe(false);
  });

  it('a transfer’s new state refreshes its page and the transfer lists; a resync refreshes every list', () => {
    const { client, keys, stale } = seeded();
    applyEvent(client, 'state', JSON.stringify({ kind: 'transfer', id: transferId, state: 'rejected' }));
    expect(stale(keys.transfer)).toBe(true);
    expect(stale(keys.transferList)).toBe(true);
    expect(stale(keys.referral)).toBe(false);
    expect(stale(keys.referralList)).toBe(false);
    applyEvent(client, 'resync', '{}');
    expect(stale(keys.referral)).toBe(true);
    expect(stale(keys.referralList)).toBe(true);
  });
});

describe('mentionableOf', () => {
  const me = '00000000-0000-4000-8000-0000000000e1';
  const thread = {
    messages: [
      { mine: false, author: { personId: 'writer', name: 'Writer', organisationId: 'o1' } },
      { mine: true, author: { personId: me, name: 'Me', organisationId: 'o1' } },
    ],
  } as unknown as Thread;

  it('offers everyone who may read the thread but the reader, with their organisation across several', () => {
    const people = [
      { personId: me, displayName: 'Me', organisationId: 'o1', organisationName: 'One' },
      { personId: 'silent', displayName: 'Silent', organisationId: 'o2', organisationName: 'Two' },
      { personId: 'writer', displayName: 'Writer', organisationId: 'o1', organisationName: 'One' },
    ];
    expect(mentionableOf(thread, people, me)).toEqual([
      { value: 'silent', label: 'Silent (Two)' },
      { value: 'writer', label: 'Writer (One)' },
    ]);
    // One organisation only: the names alone.
    expect(mentionableOf(thread, people.slice(1, 2), me)).toEqual([{ value: 'silent', label: 'Silent' }]);
  });

  it('falls back to the people who wrote until the list has loaded', () => {
    expect(mentionableOf(thread, undefined, me)).toEqual([{ value: 'writer', label: 'Writer' }]);
  });
});

describe('caseReferralRows', () => {
  it('puts a case’s referrals and transfers together, latest change first', () => {
    const rows = caseReferralRows(
      [
        {
          id: 'r1',
          state: 'sent',
          overdue: true,
          counterpart: { name: 'B' },
          updatedAt: '2026-01-02T00:00:00Z',
        },
        {
          id: 'r2',
          state: 'closed',
          overdue: false,
          counterpart: { name: 'C' },
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
      [{ id: 't1', state: 'requested', recipient: { name: 'D' }, updatedAt: '2026-01-03T00:00:00Z' }],
    );
    expect(rows.map((row) => [row.kind, row.id, row.counterpart, row.overdue])).toEqual([
      ['transfer', 't1', 'D', false],
      ['referral', 'r1', 'B', true],
      ['referral', 'r2', 'C', false],
    ]);
  });
});

describe('catchUp', () => {
  const threadId = '00000000-0000-4000-8000-0000000000bb';
  const messageOf = (id: string): Message => ({
    id,
    threadId,
    author: { organisationId: threadId, personId: null, name: null },
    mine: false,
    text: id,
    mentions: [],
    attachment: null,
    createdAt: '2026-01-01T00:00:00Z',
    readBy: [],
  });
  const threadOf = (ids: string[], moreAfter = false): Thread => ({
    id: threadId,
    subjectKind: 'referral',
    subjectId: threadId,
    subjectPath: '/referrals/x',
    parties: [],
    open: true,
    lastMessageAt: null,
    unread: 0,
    messages: ids.map(messageOf),
    olderCursor: 'older',
    moreAfter,
    abilities: { post: true, download: false },
  });

  function watchedClient(ids: string[]) {
    const client = new QueryClient();
    client.setQueryData(threadKeys.one(threadId), threadOf(ids));
    const observer = new QueryObserver(client, { queryKey: threadKeys.one(threadId), enabled: false });
    const stop = observer.subscribe(() => undefined);
    return { client, stop };
  }

  it('appends only the messages after the last one shown, once each, keeping the older cursor', async () => {
    const { client, stop } = watchedClient(['a', 'b']);
    const asked: string[] = [];
    await catchUp(client, threadId, (_thread, after) => {
      asked.push(after);
      return Promise.resolve(threadOf(['b', 'c']));
    });
    const thread = client.getQueryData<Thread>(threadKeys.one(threadId))!;
    expect(asked).toEqual(['b']);
    expect(thread.messages.map((message) => message.id)).toEqual(['a', 'b', 'c']);
    expect(thread.olderCursor).toBe('older');
    expect(client.getQueryState(threadKeys.one(threadId))?.isInvalidated).toBe(false);
    stop();
  });

  it('refetches the whole thread when more than a page was missed, or when nothing watches it', async () => {
    const { client, stop } = watchedClient(['a']);
    await catchUp(client, threadId, () => Promise.resolve(threadOf(['b'], true)));
    expect(client.getQueryData<Thread>(threadKeys.one(threadId))!.messages).toHaveLength(1);
    expect(client.getQueryState(threadKeys.one(threadId))?.isInvalidated).toBe(true);
    stop();

    const idle = new QueryClient();
    idle.setQueryData(threadKeys.one(threadId), threadOf(['a']));
    let called = false;
    await catchUp(idle, threadId, () => {
      called = true;
      return Promise.resolve(threadOf([]));
    });
    expect(called).toBe(false);
    expect(idle.getQueryState(threadKeys.one(threadId))?.isInvalidated).toBe(true);
  });
});

describe('newPartnerOf', () => {
  it('reads both tiers from a new_partner_unconfirmed problem, and nothing from other failures', () => {
    const problem = {
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      code: 'new_partner_unconfirmed',
      newPartner: { senderTier: 'verified', recipientTier: null },
    };
    expect(newPartnerOf(new ApiError(409, problem))).toEqual({ senderTier: 'verified', recipientTier: null });
    expect(newPartnerOf(new ApiError(409, { ...problem, code: 'conflict' }))).toBeNull();
    expect(newPartnerOf(new Error('x'))).toBeNull();
  });
});

describe('referral messages', () => {
  const load = (language: string) =>
    (
      JSON.parse(readFileSync(new URL(`../../i18n/locales/${language}.json`, import.meta.url), 'utf8')) as {
        referrals: Record<string, unknown>;
      }
    ).referrals;
  const flatten = (node: unknown, prefix = ''): [string, string][] =>
    Object.entries(node as Record<string, unknown>).flatMap(([key, value]) =>
      typeof value === 'string' ? [[`${prefix}${key}`, value]] : flatten(value, `${prefix}${key}.`),
    );
  const english = new Map(flatten(load('en')));

  it.each(['es', 'fr', 'ar'])('%s has every key English has, each a valid ICU message', (language) => {
    const messages = new Map(flatten(load(language)));
    expect([...messages.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of messages) {
      expect(() => new IntlMessageFormat(text, language), key).not.toThrow();
    }
  });
});
