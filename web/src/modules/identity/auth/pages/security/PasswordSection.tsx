import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, TextField, useToast } from '../../../../../ui';
import { authQueryKeys, changePassword } from '../../authApi';
import {
  actionErrorsOf,
  hasProblemCode,
  missingFields,
  noErrors,
  textOf,
  type ActionErrors,
} from '../../formErrors';

/** Changing the password; the server then signs out every other session of the person. */
export function PasswordSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [errors, setErrors] = useState<ActionErrors>(noErrors);
  const change = useMutation({
    mutationFn: (input: { current: string; next: string; form: HTMLFormElement }) =>
      changePassword(input.current, input.next),
    onSuccess: (_, input) => {
      input.form.reset();
      toast.show(t('auth.password.changed'), { tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: authQueryKeys.sessions });
    },
    onError: (error) =>
      setErrors(
        hasProblemCode(error, 'invalid_credentials')
          ? { fieldErrors: { currentPassword: t('auth.password.currentWrong') } }
          : actionErrorsOf(error, ['currentPassword', 'newPassword'], t),
      ),
  });

  const submit = (data: FormData, event: FormEvent<HTMLFormElement>) => {
    if (change.isPending) return;
    const missing = missingFields(
      data,
      {
        currentPassword: 'auth.password.currentRequired',
        newPassword: 'auth.password.newRequired',
        confirmPassword: 'auth.password.confirmRequired',
      },
      t,
    );
    const next = textOf(data, 'newPassword');
    if (!missing.confirmPassword && next !== textOf(data, 'confirmPassword')) {
      missing.confirmPassword = t('auth.password.mismatch');
    }
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    change.mutate({ current: textOf(data, 'currentPassword'), next, form: event.currentTarget });
  };

  return (
    <section className="auth-section" aria-labelledby="security-password">
      <h2 id="security-password">{t('auth.password.heading')}</h2>
      <p>{t('auth.password.intro')}</p>
      <Form onSubmit={submit} errors={errors.fieldErrors} formError={errors.formError}>
        {/* Lets password managers tie the new password to the right account. */}
        <TextField
          name="currentPassword"
          type="password"
          label={t('auth.password.current')}
          autoComplete="current-password"
          required
        />
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
        <Button type="submit" busy={change.isPending}>
          {t('auth.password.submit')}
        </Button>
      </Form>
    </section>
  );
}
