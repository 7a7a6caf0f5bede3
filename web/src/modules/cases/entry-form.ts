import { linesOf } from './case-form';
import type { Entry, EntryInput, EntryKind, EntryUpdate } from './api';

type InputOf<Kind extends EntryKind> = Extract<EntryInput, { kind: Kind }>;

/** A perpetrator or recruiter as typed (aliases one per line). */
export interface PerpetratorDraft {
  kind: 'perpetrator';
  roles: InputOf<'perpetrator'>['roles'];
  nationality: string;
  name: string;
  aliases: string;
  phone: string;
  roleDetails: string;
}

/** A trafficking event as typed; the place is a gazetteer id picked from the list. */
export interface EventDraft {
  kind: 'event';
  type: InputOf<'event'>['type'] | '';
  country: string;
  region: string;
  placeId: number | null;
  date: string;
  street: string;
  description: string;
}

/** A support-plan item as typed. */
export interface SupportPlanDraft {
  kind: 'supportPlan';
  type: InputOf<'supportPlan'>['type'] | '';
  status: NonNullable<InputOf<'supportPlan'>['status']>;
  plannedEndDate: string;
  actualEndDate: string;
  objectives: string;
  actionPlan: string;
  outcome: string;
}

/** A follow-up as typed; an empty assignee means the person adding it. */
export interface FollowUpDraft {
  kind: 'followUp';
  dueOn: string;
  assigneeMembershipId: string;
  note: string;
  done: boolean;
}

/** A comment as typed. */
export interface CommentDraft {
  kind: 'comment';
  body: string;
}

/** Any entry as its form holds it. */
export type EntryDraft = PerpetratorDraft | EventDraft | SupportPlanDraft | FollowUpDraft | CommentDraft;

/**
 * The fields of each kind that are sealed at rest (server: cases.entries.service.ts `sealedFields`). An entry
 * shown without the identifying sections lacks them; it is edited only from a revealed case file, because the
 * server replaces an entry whole and would otherwise be sent the entry without them.
 */
export const SEALED_ENTRY_FIELDS: Record<EntryKind, readonly string[]> = {
  perpetrator: ['name', 'aliases', 'phone', 'roleDetails'],
  event: ['street', 'description'],
  supportPlan: ['objectives', 'actionPlan', 'outcome'],
  followUp: ['note'],
  comment: ['body'],
};

/** An empty form for a new entry of this kind. */
export function emptyEntry(kind: EntryKind): EntryDraft {
  switch (kind) {
    case 'perpetrator':
      return { kind, roles: [], nationality: '', name: '', aliases: '', phone: '', roleDetails: '' };
    case 'event':
      return {
        kind,
        type: '',
        country: '',
        region: '',
        placeId: null,
        date: '',
        street: '',
        description: '',
      };
    case 'supportPlan':
      return {
        kind,
        type: '',
        status: 'Planned',
        plannedEndDate: '',
        actualEndDate: '',
        objectives: '',
        actionPlan: '',
        outcome: '',
      };
    case 'followUp':
      return { kind, dueOn: '', assigneeMembershipId: '', note: '', done: false };
    case 'comment':
      return { kind, body: '' };
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The form of an existing entry, from what the server presented (sealed fields only if revealed). */
export function entryDraftOf(entry: Entry): EntryDraft {
  const f = entry.fields;
  switch (entry.kind) {
    case 'perpetrator':
      return {
        kind: 'perpetrator',
        roles: (Array.isArray(f.roles) ? f.roles : []) as PerpetratorDraft['roles'],
        nationality: str(f.nationality),
        name: str(f.name),
        aliases: Array.isArray(f.aliases) ? f.aliases.map(str).join('\n') : '',
        phone: str(f.phone),
        roleDetails: str(f.roleDetails),
      };
    case 'event':
      return {
        kind: 'event',
        type: str(f.type) as EventDraft['type'],
        country: str(f.country),
        region: str(f.region),
        placeId: typeof f.placeId === 'number' ? f.placeId : null,
        date: str(f.date),
        street: str(f.street),
        description: str(f.description),
      };
    case 'supportPlan':
      return {
        kind: 'supportPlan',
        type: str(f.type) as SupportPlanDraft['type'],
        status: (str(f.status) || 'Planned') as SupportPlanDraft['status'],
        plannedEndDate: str(f.plannedEndDate),
        actualEndDate: str(f.actualEndDate),
        objectives: str(f.objectives),
        actionPlan: str(f.actionPlan),
        outcome: str(f.outcome),
      };
    case 'followUp':
      return {
        kind: 'followUp',
        dueOn: str(f.dueOn) || (entry.dueOn ?? ''),
        assigneeMembershipId: str(f.assigneeMembershipId),
        note: str(f.note),
        done: entry.doneAt !== null,
      };
    case 'comment':
      return { kind: 'comment', body: str(f.body) };
  }
}

/**
 * What adding or replacing an entry sends. Empty text is left out; required parts left empty are sent as
 * they are, so the server names what is missing beside the field.
 */
export function toEntryInput(draft: EntryDraft): EntryInput {
  switch (draft.kind) {
    case 'perpetrator':
      return compact({
        kind: 'perpetrator',
        roles: [...draft.roles],
        nationality: text(draft.nationality),
        name: text(draft.name),
        aliases: linesOf(draft.aliases),
        phone: text(draft.phone),
        roleDetails: text(draft.roleDetails),
      });
    case 'event':
      return compact({
        kind: 'event',
        type: draft.type as InputOf<'event'>['type'],
        country: draft.country,
        region: text(draft.region),
        placeId: draft.placeId ?? undefined,
        date: text(draft.date),
        street: text(draft.street),
        description: text(draft.description),
      });
    case 'supportPlan':
      return compact({
        kind: 'supportPlan',
        type: draft.type as InputOf<'supportPlan'>['type'],
        status: draft.status,
        plannedEndDate: text(draft.plannedEndDate),
        actualEndDate: text(draft.actualEndDate),
        objectives: text(draft.objectives),
        actionPlan: text(draft.actionPlan),
        outcome: text(draft.outcome),
      });
    case 'followUp':
      return compact({
        kind: 'followUp',
        dueOn: draft.dueOn,
        assigneeMembershipId: text(draft.assigneeMembershipId),
        note: text(draft.note),
        done: draft.done,
      });
    case 'comment':
      return { kind: 'comment', body: draft.body.trim() };
  }
}

/** What replacing an entry sends (comments cannot be replaced). */
export function toEntryUpdate(draft: Exclude<EntryDraft, CommentDraft>): EntryUpdate {
  return toEntryInput(draft) as EntryUpdate;
}

/** The field names of an entry form (the API's, so the server's errors land beside them). */
export function entryFieldNames(kind: EntryKind): string[] {
  return Object.keys(emptyEntry(kind)).filter((name) => name !== 'kind');
}

/** Whether a follow-up is late: not done, and due before today (YYYY-MM-DD). */
export function isOverdue(entry: Pick<Entry, 'kind' | 'dueOn' | 'doneAt'>, today: string): boolean {
  return entry.kind === 'followUp' && entry.doneAt === null && entry.dueOn !== null && entry.dueOn < today;
}
