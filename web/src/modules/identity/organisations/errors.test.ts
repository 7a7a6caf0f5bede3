import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { ApiError, type ProblemDetails } from '../../../api/problem';
import { fieldNameOf, formStateOf, messageOf } from './errors';

const t = ((key: string) => `t:${key}`) as unknown as TFunction;

const validation: ProblemDetails = {
  type: 'urn:cairn:problem:validation_failed',
  title: 'Some fields need attention',
  status: 400,
  code: 'validation_failed',
  detail: 'Check the fields.',
  errors: [
    { path: 'body.organisation.name', code: 'too_small', message: 'Too short.' },
    { path: 'body.organisation.countries.1', code: 'identity.unknown_country', message: 'Unknown country.' },
    { path: 'body.account.password', code: 'identity.password_too_common', message: 'Too common.' },
  ],
};

describe('fieldNameOf', () => {
  it('drops the request part and list indexes', () => {
    expect(fieldNameOf('body.organisation.name')).toBe('organisation.name');
    expect(fieldNameOf('body.organisation.countries.12')).toBe('organisation.countries');
    expect(fieldNameOf('query.cursor')).toBe('cursor');
    expect(fieldNameOf('tier')).toBe('tier');
  });
});

describe('formStateOf', () => {
  it('places field errors on the form’s fields and the rest in the form message', () => {
    const state = formStateOf(new ApiError(400, validation), t, {
      fields: ['organisation.name', 'organisation.countries'],
    });
    expect(state.fieldErrors).toEqual({
      'organisation.name': 'Too short.',
      'organisation.countries': 'Unknown country.',
    });
    expect(state.formError).toBe('Too common.');
  });

  it('prefers a form-specific sentence for a problem code', () => {
    const conflict: ProblemDetails = { ...validation, code: 'conflict', status: 409, errors: undefined };
    expect(formStateOf(new ApiError(409, conflict), t, { byCode: { conflict: 'Already invited.' } })).toEqual(
      {
        fieldErrors: {},
        formError: 'Already invited.',
      },
    );
    expect(messageOf(new ApiError(409, conflict), t)).toBe('Check the fields.');
  });

  it('renames fields when the form names them differently', () => {
    const flat: ProblemDetails = {
      ...validation,
      errors: [{ path: 'body.name', code: 'too_small', message: 'Too short.' }],
    };
    expect(
      formStateOf(new ApiError(400, flat), t, {
        fields: ['organisation.name'],
        rename: (name) => `organisation.${name}`,
      }),
    ).toEqual({ fieldErrors: { 'organisation.name': 'Too short.' } });
  });

  it('blames the connection when there is no answer, and the server when the answer is not a problem', () => {
    expect(formStateOf(new TypeError('Failed to fetch'), t).formError).toBe('t:orgs.errors.network');
    expect(formStateOf(new ApiError(502, undefined), t).formError).toBe('t:orgs.errors.server');
  });
});
