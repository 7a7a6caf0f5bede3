import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Form, PageHeading, TextField } from '../../../../ui';
import { completePasswordReset } from '../authApi';
import {
  actionErrorsOf,
  hasProblemCode,
  missingFields,
  noErrors,
  textOf,
  type ActionErrors,
} from '../formErrors';
import { authPaths, tokenFromHash } from '../navigation';
import { forgetSignedInPerson } from '../useMe';
import './auth.css';

/**
 * Chooses a new password from an emailed link (`/reset-password#token=…`). SECURITY: the token is read once
 * and removed from the address bar straight away, so it stays out of history, bookmarks, screenshots and
 * anything the next page could read from the URL.
 */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  // Read during the first render, before the effect below strips it from the address.
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [errors, setErrors] = useState<ActionErrors>(noErrors);
  const done = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (window.location.hash === '') return;
    // Keeps the router's own history state, so back and forward still work as before.
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}`,
    );
  }, []);

  const reset = useMutation({
    mutationFn: ({ newPassword }: { newPassword: string }) => completePasswordReset(token ?? '', newPassword),
    // Every session of the person has ended, this one included if they were signed in here.
    onSuccess: () => forgetSignedInPerson(queryClient),
    onError: (error) =>
      setErrors(
        hasProblemCode(error, 'invalid_credentials')
          ? { fieldErrors: {}, formError: t('auth.reset.linkInvalid') }
          : actionErrorsOf(error, ['newPassword'], t),
      ),
  });

  useEffect(() => {
    if (reset.isSuccess) done.current?.focus();
  }, [reset.isSuccess]);

  if (!token) {
    return (
      <div className="page page--narrow">
        <PageHeading>{t('auth.reset.title')}</PageHeading>
        <div className="notice notice--error">
          <p>{t('auth.reset.noToken')}</p>
        </div>
        <p>
          <Link to={authPaths.forgotPassword}>{t('auth.reset.askAgain')}</Link>
        </p>
      </div>
    );
  }

  const submit = (data: FormData) => {
    if (reset.isPending) return;
    const missing = missingFields(
      data,
      { newPassword: 'auth.password.newRequired', confirmPassword: 'auth.password.confirmRequired' },
      t,
    );
    const newPassword = textOf(data, 'newPassword');
    if (!missing.confirmPassword && newPassword !== textOf(data, 'confirmPassword')) {
      missing.confirmPassword = t('auth.password.mismatch');
    }
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    reset.mutate({ newPassword });
  };

  return (
    <div className="page page--narrow">
      <PageHeading>{t('auth.reset.title')}</PageHeading>
      {reset.isSuccess ? (
        <div ref={done} className="notice" tabIndex={-1} role="status">
          <p>{t('auth.reset.done')}</p>
          <p>
            <Link to={authPaths.signIn}>{t('auth.reset.signIn')}</Link>
          </p>
        </div>
      ) : (
        <>
          <p>{t('auth.reset.intro')}</p>
          <Form onSubmit={submit} errors={errors.fieldErrors} formError={errors.formError}>
            <TextField
              name="newPassword"
              type="password"
              label={t('auth.password.new')}
              hint={t('auth.password.newHint')}
              autoComplete="new-password"
              required
            />
            <TextField
              name="confirmPassword"
              type="password"
              label={t('auth.password.confirm')}
              autoComplete="new-password"
              required
            />
            <Button type="submit" busy={reset.isPending}>
              {t('auth.reset.submit')}
            </Button>
          </Form>
          {reset.isError && (
            <p>
              <Link to={authPaths.forgotPassword}>{t('auth.reset.askAgain')}</Link>
            </p>
          )}
        </>
      )}
    </div>
  );
}
