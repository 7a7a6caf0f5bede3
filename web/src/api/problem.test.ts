import { describe, expect, it } from 'vitest';
import { ApiError, isProblemDetails, problemToFormErrors, type ProblemDetails } from './problem';

const base: ProblemDetails = {
  type: 'https://cairn.example/problems/validation',
  title: 'Some fields need attention',
  status: 422,
  code: 'validation_failed',
  detail: 'Check the highlighted fields.',
  instance: '/api/things',
  requestId: 'req-1',
};

describe('isProblemDetails', () => {
  it('accepts a problem body and rejects other values', () => {
    expect(isProblemDetails(base)).toBe(true);
    expect(isProblemDetails({ message: 'nope' })).toBe(false);
    expect(isProblemDetails(null)).toBe(false);
    expect(isProblemDetails('error')).toBe(false);
  });
});

describe('problemToFormErrors', () => {
  it('maps each path to its first message', () => {
    const result = problemToFormErrors({
      ...base,
      errors: [
        { path: 'email', code: 'invalid_email', message: 'Enter a valid email address.' },
        { path: 'email', code: 'too_long', message: 'Too long.' },
        { path: 'name', code: 'required', message: 'Enter a name.' },
      ],
    });
    expect(result).toEqual({
      fieldErrors: { email: 'Enter a valid email address.', name: 'Enter a name.' },
    });
  });

  it('puts errors for fields the form does not show into the form message', () => {
    const result = problemToFormErrors(
      {
        ...base,
        errors: [
          { path: 'email', code: 'invalid_email', message: 'Enter a valid email address.' },
          { path: 'organisationId', code: 'not_found', message: 'That organisation does not exist.' },
        ],
      },
      ['email'],
    );
    expect(result.fieldErrors).toEqual({ email: 'Enter a valid email address.' });
    expect(result.formError).toBe('That organisation does not exist.');
  });

  it('uses the detail, then the title, when there are no field errors', () => {
    expect(problemToFormErrors(base)).toEqual({
      fieldErrors: {},
      formError: 'Check the highlighted fields.',
    });
    expect(problemToFormErrors({ ...base, detail: undefined })).toEqual({
      fieldErrors: {},
      formError: 'Some fields need attention',
    });
  });
});

describe('ApiError', () => {
  it('tells client errors from server errors', () => {
    expect(new ApiError(404, undefined).isClientError).toBe(true);
    expect(new ApiError(503, undefined).isClientError).toBe(false);
    expect(new ApiError(422, base).message).toBe('Check the highlighted fields.');
  });
});
