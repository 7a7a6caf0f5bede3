import { describe, expect, it } from 'vitest';
import type { Profile } from './api';
import {
  compactPhone,
  editorStateOf,
  fieldsNotSent,
  isSamePlace,
  rowKey,
  toProfileInput,
} from './editor-state';

const base: Profile = {
  organisationId: '00000000-0000-4000-8000-000000000001',
  name: 'Tumaini Safe Homes',
  type: 'ngo',
  tier: 'verified',
  otherNames: ['Tumaini'],
  descriptions: [{ language: 'en', short: 'Shelters in Mombasa', long: '' }],
  focus: ['protection'],
  services: ['shelter', 'legal_aid'],
  populations: ['girls'],
  exploitationTypes: [],
  industries: [],
  countries: ['KE', 'UG'],
  regions: [
    { code: 'KE.19', name: 'Mombasa' },
    { code: 'UG.C', name: 'Central Region' },
  ],
  offices: [
    {
      id: '00000000-0000-4000-8000-000000000002',
      label: 'Head office',
      placeName: 'Mombasa',
      country: 'KE',
      region: 'KE.19',
      regionName: 'Mombasa',
      latitude: -4.05466,
      longitude: 39.66359,
      street: null,
      postalCode: null,
      phone: '+254700000000',
      isMain: true,
    },
  ],
  languages: ['en', 'sw'],
  hotlines: [{ channel: 'phone', number: '1195', hours: '24/7', languages: ['sw'] }],
  networks: [],
  website: 'https://tumaini.example',
  contacts: [],
  visibility: { offices: 'partners', services: 'members' },
  listed: true,
  hideExactLocation: false,
  updatedAt: '2025-01-01T00:00:00.000Z',
  stale: false,
  abilities: { edit: true, requestSupport: false },
};

describe('editorStateOf', () => {
  it('takes every field, with the server’s visibility over the defaults', () => {
    const state = editorStateOf(base);
    expect(state.services).toEqual(['shelter', 'legal_aid']);
    expect(state.visibility.offices).toBe('partners');
    expect(state.visibility.services).toBe('members');
    expect(state.visibility.contacts).toBe('members');
    expect(state.visibility.website).toBe('public');
    expect(state.offices[0]?.place).toMatchObject({ id: null, name: 'Mombasa', country: 'KE' });
    expect(state.website).toBe('https://tumaini.example');
  });

  it('gives each row a distinct key', () => {
    const state = editorStateOf(base);
    const keys = [...state.otherNames, ...state.descriptions, ...state.offices].map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rowKey()).not.toBe(rowKey());
  });
});

describe('fieldsNotSent', () => {
  it('lists the fields the server left out for this reader', () => {
    const { contacts: _contacts, networks: _networks, ...partial } = base;
    expect(fieldsNotSent(partial)).toEqual(['networks', 'contacts']);
    expect(fieldsNotSent(base)).toEqual([]);
  });
});

describe('toProfileInput', () => {
  it('round-trips a profile once its offices’ places are known again', () => {
    const state = editorStateOf(base);
    state.offices[0]!.place!.id = 42;
    const { input, problems } = toProfileInput(state);
    expect(problems).toEqual({});
    expect(input).toMatchObject({
      otherNames: ['Tumaini'],
      services: ['shelter', 'legal_aid'],
      countries: ['KE', 'UG'],
      regions: ['KE.19', 'UG.C'],
      offices: [{ label: 'Head office', placeId: 42, street: null, phone: '+254700000000', isMain: true }],
      hotlines: [{ channel: 'phone', number: '1195', hours: '24/7', languages: ['sw'] }],
      website: 'https://tumaini.example',
      listed: true,
      hideExactLocation: false,
    });
    expect(Object.keys(input.visibility ?? {})).toHaveLength(15);
  });

  it('leaves blank rows out and maps the server’s row numbers back to the screen’s', () => {
    const state = editorStateOf(base);
    state.offices[0]!.place!.id = 42;
    state.descriptions = [
      { key: 'a', language: 'fr', short: '  ', long: '' },
      { key: 'b', language: 'sw', short: 'Nyumba salama', long: '' },
    ];
    const { input, fieldOf } = toProfileInput(state);
    expect(input.descriptions).toEqual([{ language: 'sw', short: 'Nyumba salama', long: '' }]);
    expect(fieldOf('descriptions.0.short')).toBe('descriptions.1.short');
    expect(fieldOf('countries')).toBe('countries');
    expect(fieldOf('visibility.offices')).toBe('visibility.offices');
  });

  it('asks for a place for offices that have none, or whose saved place was not found again', () => {
    const state = editorStateOf(base);
    state.offices.push({
      key: 'new',
      label: 'Kampala',
      place: null,
      street: '',
      postalCode: '',
      phone: '',
      isMain: false,
    });
    expect(toProfileInput(state).problems).toEqual({
      'offices.0.placeId': 'directory.editor.errors.placeAgain',
      'offices.1.placeId': 'directory.editor.errors.placeMissing',
    });
  });

  it('drops regions of countries no longer listed, and hotline languages no longer spoken', () => {
    const state = editorStateOf(base);
    state.countries = ['KE'];
    state.languages = ['en'];
    const { input } = toProfileInput(state);
    expect(input.regions).toEqual(['KE.19']);
    expect(input.hotlines?.[0]?.languages).toEqual([]);
  });

  it('writes websites and phone numbers the way the server accepts them', () => {
    const state = editorStateOf(base);
    state.website = 'tumaini.example';
    state.contacts = [{ key: 'c', label: 'Intake', email: ' ', phone: '+254 (700) 000-000' }];
    const { input } = toProfileInput(state);
    expect(input.website).toBe('https://tumaini.example');
    expect(input.contacts).toEqual([{ label: 'Intake', email: null, phone: '+254700000000' }]);
    state.website = '  ';
    expect(toProfileInput(state).input.website).toBeNull();
  });
});

describe('compactPhone', () => {
  it('drops separators people type', () => {
    expect(compactPhone(' +66 2-123.45 (67) ')).toBe('+6621234567');
  });
});

describe('isSamePlace', () => {
  it('matches a saved place to the gazetteer by its point', () => {
    const saved = {
      id: null,
      name: 'Mombasa',
      country: 'KE',
      region: null,
      regionName: null,
      latitude: -4.05466,
      longitude: 39.66359,
    };
    expect(isSamePlace(saved, { name: 'Mombasa', latitude: -4.05466, longitude: 39.66359 })).toBe(true);
    expect(isSamePlace(saved, { name: 'Mombasa', latitude: -4.1, longitude: 39.66359 })).toBe(false);
  });
});
