import { describe, expect, it } from 'vitest';
import { EXPERTISE, expertiseKey, messageBoxFrom, peopleFiltersFrom, peopleParamsOf } from './people';

describe('people search in the address', () => {
  it('round-trips every filter', () => {
    const filters = peopleFiltersFrom(
      new URLSearchParams('q=+legal+aid+&expertise=legal_aid&language=sw&country=KE'),
    );
    expect(filters).toEqual({ q: 'legal aid', expertise: 'legal_aid', language: 'sw', country: 'KE' });
    expect(peopleParamsOf(filters).toString()).toBe('q=legal+aid&expertise=legal_aid&language=sw&country=KE');
  });

  it('drops unknown values instead of sending them to the server', () => {
    expect(
      peopleFiltersFrom(new URLSearchParams('q=%20&expertise=astrology&language=xx&country=ZZ&extra=1')),
    ).toEqual({ q: undefined, expertise: undefined, language: undefined, country: undefined });
    expect(peopleParamsOf({}).toString()).toBe('');
  });

  it('caps the text at the server’s 100 characters', () => {
    expect(peopleFiltersFrom(new URLSearchParams(`q=${'a'.repeat(150)}`)).q).toHaveLength(100);
  });

  it('reads the message box, the inbox by default', () => {
    expect(messageBoxFrom(new URLSearchParams('box=sent'))).toBe('sent');
    expect(messageBoxFrom(new URLSearchParams('box=spam'))).toBe('inbox');
    expect(messageBoxFrom(new URLSearchParams(''))).toBe('inbox');
  });
});

describe('expertise', () => {
  it('is the focus areas and the services, each translated from its own vocabulary', () => {
    expect(EXPERTISE.slice(0, 2)).toEqual(['prevention', 'protection']);
    expect(new Set(EXPERTISE).size).toBe(EXPERTISE.length);
    expect(expertiseKey('prosecution')).toBe('directory.vocabulary.focus.prosecution');
    expect(expertiseKey('legal_aid')).toBe('directory.vocabulary.services.legal_aid');
  });
});
