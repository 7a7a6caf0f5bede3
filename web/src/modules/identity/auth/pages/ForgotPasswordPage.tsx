import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Form, PageHeading, TextField } from '../../../../ui';
import { requestPasswordReset } from '../authApi';
import { actionErrorsOf, missingFields, noErrors, textOf, type ActionErrors } from '../formErrors';
import { authPaths } from '../navigation';
import './auth.css';

/** Asks for a password-reset link by email. The answer never says whether the address has an account. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<ActionErrors>(noErrors);
  const confirmation = useRef<HTMLDivElement>(null);
  const request = useMutation({
    mutationFn: requestPasswordReset,
    onError: (error) => setErrors(actionErrorsOf(error, ['email'], t)),
  });

  useEffect(() => {
    if (request.isSuccess) confirmation.current?.focus();
  }, [request.isSuccess]);

  const submit = (data: FormData) => {
    if (request.isPending) return;
    const missing = missingFields(data, { email: 'auth.signIn.emailRequired' }, t);
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    request.mutate(textOf(data, 'email').trim());
  };

  return (
    <div className="page page--narrow">
      <PageHeading>{t('auth.forgot.title')}</PageHeading>
      {request.isSuccess ? (
        <div ref={confirmation} className="notice" tabIndex={-1} role="status">
          <p>{t('auth.forgot.sent')}</p>
          <p>{t('auth.forgot.sentHint')}</p>
        </div>
      ) : (
        <>
          <p>{t('auth.forgot.intro')}</p>
          <Form onSubmit={submit} errors={errors.fieldErrors} formError={errors.formError}>
            <TextField
              name="email"
              type="email"
              label={t('auth.signIn.email')}
              autoComplete="username"
              inputMode="email"
              spellCheck={false}
              required
            />
            <Button type="submit" busy={request.isPending}>
              {t('auth.forgot.submit')}
            </Button>
          </Form>
        </>
      )}
      <p className="auth-back">
        <Link to={authPaths.signIn}>{t('auth.forgot.backToSignIn')}</Link>
      </p>
    </div>
  );
}
