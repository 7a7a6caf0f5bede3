import { describe, expect, it } from 'vitest';
import { ApiError, type ProblemDetails } from '../../../api/problem';
import { actionErrorsOf, hasProblemCode, missingFields, textOf } from './formErrors';
import { PasskeyError } from './passkeyError';

/** Stands in for i18next's t: shows which key (and values) a message would use. */
const t = (key: string, values?: Record<string, unknown>) =>
  values ? `${key} ${JSON.stringify(values)}` : key;

const validation: ProblemDetails = {
  type: 'https://cairn.example/problems/validation_failed',
  title: 'Some fields need attention',
  status: 400,
  code: 'validation_failed',
  detail: 'Check the highlighted fields.',
  errors: [
    { path: 'body.email', code: 'invalid_format', message: 'Must be a valid email address.' },
    { path: 'body.password', code: 'too_small', message: 'Must be at least 1 character long.' },
  ],
};

describe('actionErrorsOf', () => {
  it('puts the server’s body field errors beside the form’s fields', () => {
    expect(actionErrorsOf(new ApiError(400, validation), ['email', 'password'], t)).toEqual({
      fieldErrors: {
        email: 'Must be a valid email address.',
        password: 'Must be at least 1 character long.',
      },
    });
  });

  it('keeps errors about fields the form does not show in the form’s message', () => {
    const result = actionErrorsOf(new ApiError(400, validation), ['email'], t);
    expect(result.fieldErrors).toEqual({ email: 'Must be a valid email address.' });
    expect(result.formError).toBe('Must be at least 1 character long.');
  });

  it('uses the problem’s localised detail when no field is involved', () => {
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: 'Sign-in failed',
      status: 401,
      code: 'invalid_credentials',
      detail: 'The email or password is not right.',
    };
    expect(actionErrorsOf(new ApiError(401, problem), ['email'], t)).toEqual({
      fieldErrors: {},
      formError: 'The email or password is not right.',
    });
  });

  it('explains passkey, server and network failures in the reader’s language', () => {
    expect(actionErrorsOf(new PasskeyError('cancelled'), [], t).formError).toBe('auth.passkey.cancelled');
    expect(actionErrorsOf(new ApiError(502, undefined), [], t).formError).toBe('auth.errors.server');
    expect(actionErrorsOf(new TypeError('Failed to fetch'), [], t).formError).toBe('auth.errors.network');
  });
});

describe('hasProblemCode', () => {
  it('recognises the server’s problem code', () => {
    const stepUp = new ApiError(403, { ...validation, status: 403, code: 'step_up_required', errors: [] });
    expect(hasProblemCode(stepUp, 'step_up_required')).toBe(true);
    expect(hasProblemCode(stepUp, 'forbidden')).toBe(false);
    expect(hasProblemCode(new Error('step_up_required'), 'step_up_required')).toBe(false);
  });
});

describe('missingFields', () => {
  it('reports empty and blank fields with their message', () => {
    const data = new FormData();
    data.set('email', '   ');
    data.set('password', 'secret');
    expect(
      missingFields(
        data,
        { email: 'auth.signIn.emailRequired', password: 'auth.signIn.passwordRequired' },
        t,
      ),
    ).toEqual({ email: 'auth.signIn.emailRequired' });
    expect(missingFields(data, { code: 'auth.secondFactor.totpRequired' }, t)).toEqual({
      code: 'auth.secondFactor.totpRequired',
    });
    expect(textOf(data, 'password')).toBe('secret');
    expect(textOf(data, 'absent')).toBe('');
  });
});
