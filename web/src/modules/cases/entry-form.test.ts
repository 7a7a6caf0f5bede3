import { describe, expect, it } from 'vitest';
import type { Entry } from './api';
import {
  emptyEntry,
  entryDraftOf,
  entryFieldNames,
  isOverdue,
  toEntryInput,
  toEntryUpdate,
} from './entry-form';

const entry = (kind: Entry['kind'], fields: Record<string, unknown>, extra: Partial<Entry> = {}): Entry => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind,
  fields,
  dueOn: null,
  doneAt: null,
  assignee: null,
  createdBy: null,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  ...extra,
});

describe('toEntryInput', () => {
  it('leaves out empty text and keeps what is required, so the server names what is missing', () => {
    expect(toEntryInput(emptyEntry('event'))).toEqual({ kind: 'event', type: '', country: '' });
    expect(toEntryInput(emptyEntry('supportPlan'))).toEqual({
      kind: 'supportPlan',
      type: '',
      status: 'Planned',
    });
    expect(toEntryInput(emptyEntry('followUp'))).toEqual({ kind: 'followUp', dueOn: '', done: false });
    expect(toEntryInput({ kind: 'comment', body: '  Called the clinic.  ' })).toEqual({
      kind: 'comment',
      body: 'Called the clinic.',
    });
  });

  it('turns a perpetrator’s other names into a list', () => {
    const draft = { ...emptyEntry('perpetrator'), roles: ['Exploiter'], aliases: 'Big K\nK\n\nK' } as never;
    expect(toEntryInput(draft)).toEqual({
      kind: 'perpetrator',
      roles: ['Exploiter'],
      aliases: ['Big K', 'K'],
    });
  });
});

describe('entryDraftOf', () => {
  it('keeps every field of a revealed follow-up, so marking it done does not wipe its note', () => {
    const followUp = entry(
      'followUp',
      {
        dueOn: '2026-03-05',
        note: 'Call about the clinic.',
        assigneeMembershipId: '00000000-0000-4000-8000-0000000000aa',
        done: false,
      },
      { dueOn: '2026-03-05' },
    );
    const draft = entryDraftOf(followUp);
    if (draft.kind !== 'followUp') throw new Error('expected a follow-up');
    expect(toEntryUpdate({ ...draft, done: true })).toEqual({
      kind: 'followUp',
      dueOn: '2026-03-05',
      note: 'Call about the clinic.',
      assigneeMembershipId: '00000000-0000-4000-8000-0000000000aa',
      done: true,
    });
  });

  it('round-trips an event and a support-plan item', () => {
    const event = {
      kind: 'event',
      type: 'Transit',
      country: 'KE',
      region: 'KE.19',
      placeId: 184745,
      date: '2025-11-02',
      street: 'Port gate 3',
    } as const;
    expect(toEntryInput(entryDraftOf(entry('event', event)))).toEqual(event);
    const plan = {
      kind: 'supportPlan',
      type: 'Health',
      status: 'InProgress',
      plannedEndDate: '2026-06-01',
      objectives: 'Clinic',
    } as const;
    expect(toEntryInput(entryDraftOf(entry('supportPlan', plan)))).toEqual(plan);
  });
});

describe('isOverdue', () => {
  it('is a follow-up not done and due before today', () => {
    const due = (dueOn: string, doneAt: string | null = null) => entry('followUp', {}, { dueOn, doneAt });
    expect(isOverdue(due('2026-03-01'), '2026-03-02')).toBe(true);
    expect(isOverdue(due('2026-03-02'), '2026-03-02')).toBe(false);
    expect(isOverdue(due('2026-03-01', '2026-03-01T12:00:00.000Z'), '2026-03-02')).toBe(false);
    expect(isOverdue(entry('supportPlan', {}, { dueOn: '2026-03-01' }), '2026-03-02')).toBe(false);
  });
});

describe('entryFieldNames', () => {
  it('names each form’s fields by their API names', () => {
    expect(entryFieldNames('followUp')).toEqual(['dueOn', 'assigneeMembershipId', 'note', 'done']);
    expect(entryFieldNames('comment')).toEqual(['body']);
  });
});
