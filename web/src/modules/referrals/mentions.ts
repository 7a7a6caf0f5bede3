import type { Thread, ThreadParticipant } from './api';

/** A person a message can mention, as the picker shows them. */
export interface Mentionable {
  value: string;
  label: string;
}

/**
 * Whom a message can mention: everyone the server says may read the thread (so people who have not written
 * yet too), the reader excepted, each with their organisation's name when the thread spans several. Until
 * that list has loaded (or if it failed), the people who wrote in the thread.
 */
export function mentionableOf(
  thread: Thread,
  participants: readonly ThreadParticipant[] | undefined,
  myPersonId: string | undefined,
): Mentionable[] {
  if (participants) {
    const organisations = new Set(participants.map((person) => person.organisationId));
    return participants
      .filter((person) => person.personId !== myPersonId)
      .map((person) => ({
        value: person.personId,
        label:
          organisations.size > 1 ? `${person.displayName} (${person.organisationName})` : person.displayName,
      }));
  }
  const seen = new Map<string, string>();
  for (const message of thread.messages) {
    if (!message.mine && message.author.personId && message.author.name)
      seen.set(message.author.personId, message.author.name);
  }
  return [...seen].map(([value, label]) => ({ value, label }));
}
