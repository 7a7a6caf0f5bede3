import { describe, expect, it } from 'vitest';
import { missingFields, normaliseWebsite, passwordOf, textOf } from './form-data';

describe('normaliseWebsite', () => {
  it('adds https:// to a bare domain and leaves full addresses alone', () => {
    expect(normaliseWebsite(' example.org ')).toBe('https://example.org');
    expect(normaliseWebsite('http://example.org/about')).toBe('http://example.org/about');
    expect(normaliseWebsite('HTTPS://EXAMPLE.ORG')).toBe('HTTPS://EXAMPLE.ORG');
    expect(normaliseWebsite('')).toBeUndefined();
  });

  it('does not hide other schemes, so the server can refuse them', () => {
    expect(normaliseWebsite('javascript:alert(1)')).toBe('javascript:alert(1)');
  });
});

describe('missingFields', () => {
  it('reports empty strings and empty lists with their messages', () => {
    expect(
      missingFields(
        { name: '', countries: [], referee: 'Someone' },
        { name: 'Name?', countries: 'Where?', referee: 'Who?' },
      ),
    ).toEqual({ name: 'Name?', countries: 'Where?' });
  });
});

describe('textOf', () => {
  it('trims text and reads missing fields as empty', () => {
    const data = new FormData();
    data.set('name', '  Tumaini  ');
    expect(textOf(data, 'name')).toBe('Tumaini');
    expect(textOf(data, 'other')).toBe('');
  });

  it('keeps passwords exactly as typed', () => {
    const data = new FormData();
    data.set('password', '  spaced out words  ');
    expect(passwordOf(data, 'password')).toBe('  spaced out words  ');
    expect(passwordOf(data, 'missing')).toBe('');
  });
});
