import { describe, expect, it } from 'vitest';
import type { CaseFile } from './api';
import {
  checkNumbers,
  draftOf,
  draftsDiffer,
  duplicateSelector,
  emptyDocument,
  emptyDraft,
  linesOf,
  toCreate,
  toSectionUpdate,
  type CaseDraft,
} from './case-form';
import { intakeFieldNames, sectionFieldNames } from './field-names';

const filled = (): CaseDraft => {
  const draft = emptyDraft('2026-03-02');
  draft.identity = {
    ...draft.identity,
    firstName: ' Amani ',
    secondName: 'Otieno',
    aliases: 'Ama\n\n Ama \nNana',
    birthYear: '1999',
  };
  draft.documents = [
    { ...emptyDocument(), type: 'Passport', number: ' A123 ', issuingCountry: 'KE' },
    emptyDocument(),
  ];
  draft.profile = { ...draft.profile, gender: 'Feminine', citizenships: ['KE'], numberOfChildren: '2' };
  draft.victim = {
    ...draft.victim,
    traffickingStatus: 'PossibleVictimOfTrafficking',
    agreementToManagePersonalData: 'no',
    methodsOfControl: ['DebtBondage', 'RestrictsMovement'],
  };
  return draft;
};

describe('toCreate', () => {
  it('leaves out identifying sections with nothing in them, and empty values everywhere', () => {
    const body = toCreate(emptyDraft('2026-03-02'), true);
    expect(body).toEqual({
      draft: true,
      openedOn: '2026-03-02',
      profile: { citizenships: [] },
      victim: {
        recruitmentMethods: [],
        recruitmentWebsitesAndApps: [],
        methodsOfControl: [],
        exploitationTypes: [],
        sexExploitationTypes: [],
        exploitationWebsitesAndApps: [],
        vulnerabilities: [],
      },
    });
    expect('identity' in body || 'contact' in body || 'documents' in body || 'narrative' in body).toBe(false);
  });

  it('trims text, turns typed numbers into numbers, lines into lists, and drops empty document rows', () => {
    const body = toCreate(filled(), false);
    expect(body.draft).toBe(false);
    expect(body.identity).toEqual({
      firstName: 'Amani',
      secondName: 'Otieno',
      aliases: ['Ama', 'Nana'],
      birthYear: 1999,
    });
    expect(body.documents).toEqual([{ type: 'Passport', number: 'A123', issuingCountry: 'KE' }]);
    expect(body.profile).toEqual({ gender: 'Feminine', citizenships: ['KE'], numberOfChildren: 2 });
    expect(body.victim?.agreementToManagePersonalData).toBe(false);
    expect(body.victim?.methodsOfControl).toEqual(['DebtBondage', 'RestrictsMovement']);
    expect('contact' in body).toBe(false);
  });

  it('sends a half-filled document so the server can say what is missing', () => {
    const draft = emptyDraft('2026-03-02');
    draft.documents = [{ ...emptyDocument(), number: 'X1' }];
    expect(toCreate(draft, true).documents).toEqual([{ type: '', number: 'X1' }]);
  });
});

describe('checkNumbers', () => {
  it('names the numeric fields holding something other than digits', () => {
    const draft = filled();
    expect(checkNumbers(draft)).toEqual([]);
    draft.identity.birthYear = '19 99';
    draft.victim.ageWhenTrafficked = '١٤';
    draft.profile.numberOfChildren = ' 3 ';
    expect(checkNumbers(draft)).toEqual(['identity.birthYear', 'victim.ageWhenTrafficked']);
  });
});

describe('draftOf and toSectionUpdate', () => {
  it('edit a section as stored, sending the whole section with the version it started from', () => {
    const created = toCreate(filled(), false);
    const file = {
      openedOn: '2026-03-02',
      identity: created.identity ?? null,
      contact: null,
      documents: created.documents ?? null,
      narrative: null,
      profile: created.profile ?? { citizenships: [] },
      victim: created.victim!,
    } as unknown as CaseFile;
    const draft = draftOf(file);
    expect(toSectionUpdate('identity', draft, 7)).toEqual({ version: 7, identity: created.identity });
    expect(toSectionUpdate('documents', draft, 7)).toEqual({ version: 7, documents: created.documents });
    expect(toSectionUpdate('victim', draft, 7)).toEqual({ version: 7, victim: created.victim });
    // A section the reader has not been shown comes back empty, never as "unknown": it is not sent unless edited.
    expect(toSectionUpdate('contact', draft, 7)).toEqual({ version: 7, contact: {} });
  });
});

describe('draftsDiffer', () => {
  it('sees typing, not the keys that tell document rows apart', () => {
    const a = emptyDraft('2026-03-02');
    const b = { ...a, documents: [emptyDocument()] };
    const c = { ...a, documents: [emptyDocument()] };
    expect(draftsDiffer(a, emptyDraft('2026-03-02'))).toBe(false);
    expect(draftsDiffer(b, c)).toBe(false);
    expect(draftsDiffer(a, b)).toBe(true);
  });
});

describe('duplicateSelector', () => {
  it('asks nothing until a document number, or a family name with a birth year, is there', () => {
    const draft = emptyDraft('2026-03-02');
    expect(duplicateSelector(draft)).toBeNull();
    draft.identity.secondName = 'Otieno';
    expect(duplicateSelector(draft)).toBeNull();
    draft.identity.birthDate = '1999-05-01';
    expect(duplicateSelector(draft)).toEqual({ documentNumbers: [], secondName: 'Otieno', birthYear: 1999 });
    draft.identity.birthYear = '2001';
    draft.identity.firstName = 'Amani';
    expect(duplicateSelector(draft)).toEqual({
      documentNumbers: [],
      firstName: 'Amani',
      secondName: 'Otieno',
      birthYear: 2001,
    });
  });

  it('sends each document number once, and no name without its year', () => {
    const draft = emptyDraft('2026-03-02');
    draft.identity.secondName = 'Otieno';
    draft.documents = [
      { ...emptyDocument(), number: 'A1' },
      { ...emptyDocument(), number: ' A1 ' },
      { ...emptyDocument(), number: '' },
    ];
    expect(duplicateSelector(draft)).toEqual({ documentNumbers: ['A1'] });
  });
});

describe('linesOf', () => {
  it('keeps each non-empty line once', () => {
    expect(linesOf(' a \r\nb\n\na\n')).toEqual(['a', 'b']);
  });
});

describe('field names', () => {
  it('are the API paths the server reports errors on', () => {
    const draft = filled();
    expect(sectionFieldNames('documents', draft)).toEqual([
      'documents.0.type',
      'documents.0.number',
      'documents.0.issuingCountry',
      'documents.1.type',
      'documents.1.number',
      'documents.1.issuingCountry',
    ]);
    const names = intakeFieldNames(draft);
    expect(names).toContain('openedOn');
    expect(names).toContain('profile.gender');
    expect(names).toContain('victim.traffickingStatus');
    expect(new Set(names).size).toBe(names.length);
  });
});
