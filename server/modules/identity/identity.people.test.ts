import { describe, expect, it } from 'vitest';
import { namedPerson } from './identity.people.js';

describe('namedPerson', () => {
  const names = new Map([['p1', 'Amina']]);

  it('names a known person', () => {
    expect(namedPerson(names, 'p1')).toEqual({ personId: 'p1', name: 'Amina' });
  });

  it('is null for no one and for an id without a name', () => {
    expect(namedPerson(names, null)).toBeNull();
    expect(namedPerson(names, 'p2')).toBeNull();
  });
});
