import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, Form, TextField, useToast } from '../../../../../ui';
import { confirmTotp, removeTotp, setupTotp } from '../../authApi';
import { groupSecret } from '../../format';
import {
  actionErrorsOf,
  hasProblemCode,
  missingFields,
  noErrors,
  textOf,
  type ActionErrors,
} from '../../formErrors';
import { meQueryKey, type Me } from '../../useMe';
import { StepUpCancelledError, type StepUp } from '../../useStepUp';
import { CopyButton } from './CopyButton';

/** Setting up, confirming and removing an authenticator app (TOTP). */
export function TotpSection({ me, stepUp }: { me: Me; stepUp: StepUp }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirmErrors, setConfirmErrors] = useState<ActionErrors>(noErrors);
  const [removeErrors, setRemoveErrors] = useState<ActionErrors>(noErrors);
  const [removing, setRemoving] = useState(false);
  const setupHeading = useRef<HTMLHeadingElement>(null);

  const setup = useMutation({
    mutationFn: setupTotp,
    onError: (error) => toast.show(actionErrorsOf(error, [], t).formError ?? '', { tone: 'error' }),
  });
  const confirm = useMutation({
    mutationFn: confirmTotp,
    onSuccess: () => {
      setup.reset();
      toast.show(t('auth.totp.confirmed'), { tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
    onError: (error) =>
      setConfirmErrors(
        hasProblemCode(error, 'conflict')
          ? { fieldErrors: {}, formError: t('auth.totp.setupExpired') }
          : actionErrorsOf(error, ['code'], t),
      ),
  });
  const remove = useMutation({
    mutationFn: (currentPassword: string | undefined) => stepUp.guard(() => removeTotp(currentPassword)),
    onSuccess: () => {
      setRemoving(false);
      toast.show(t('auth.totp.removed'), { tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
    onError: (error) => {
      if (error instanceof StepUpCancelledError) return;
      if (hasProblemCode(error, 'invalid_credentials')) {
        setRemoveErrors({ fieldErrors: { currentPassword: t('auth.password.currentWrong') } });
      } else if (hasProblemCode(error, 'conflict')) {
        setRemoveErrors({ fieldErrors: {}, formError: t('auth.totp.removeLast') });
      } else {
        setRemoveErrors(actionErrorsOf(error, ['currentPassword'], t));
      }
    },
  });

  // The new secret appears where the button was: take the reader to its instructions.
  useEffect(() => {
    if (setup.data) setupHeading.current?.focus();
  }, [setup.data]);

  // The API asks for the password only from someone without a passkey; with one, a step-up replaces it.
  const needsPassword = me.factors.passkeys === 0;

  const submitConfirm = (data: FormData) => {
    if (confirm.isPending) return;
    const missing = missingFields(data, { code: 'auth.secondFactor.totpRequired' }, t);
    if (Object.keys(missing).length > 0) {
      setConfirmErrors({ fieldErrors: missing });
      return;
    }
    setConfirmErrors(noErrors);
    confirm.mutate(textOf(data, 'code').trim());
  };

  const submitRemove = (data: FormData) => {
    if (remove.isPending) return;
    if (needsPassword) {
      const missing = missingFields(data, { currentPassword: 'auth.password.currentRequired' }, t);
      if (Object.keys(missing).length > 0) {
        setRemoveErrors({ fieldErrors: missing });
        return;
      }
    }
    setRemoveErrors(noErrors);
    remove.mutate(needsPassword ? textOf(data, 'currentPassword') : undefined);
  };

  return (
    <section className="auth-section" aria-labelledby="security-totp">
      <h2 id="security-totp">{t('auth.totp.heading')}</h2>
      <p>{t('auth.totp.intro')}</p>
      {!me.hasRequiredFactor && me.requiredFactor === 'passkey' && (
        <div className="notice">
          <p>{t('auth.totp.notEnough')}</p>
        </div>
      )}

      {me.factors.totp ? (
        <>
          <p className="auth-status auth-status--on">{t('auth.totp.on')}</p>
          <Button variant="secondary" onClick={() => setRemoving(true)}>
            {t('auth.totp.remove')}
          </Button>
        </>
      ) : setup.data ? (
        <div className="auth-setup">
          <h3 ref={setupHeading} tabIndex={-1}>
            {t('auth.totp.setupHeading')}
          </h3>
          <ol className="auth-steps">
            <li>
              <p>{t('auth.totp.stepKey')}</p>
              <dl className="auth-secret">
                <dt>{t('auth.totp.secretLabel')}</dt>
                <dd>
                  {/* Base32 is Latin letters and digits: keep it left to right inside Arabic text. */}
                  <code className="auth-code" dir="ltr" data-testid="totp-secret">
                    {groupSecret(setup.data.secret)}
                  </code>
                  <CopyButton text={setup.data.secret} label={t('auth.totp.copySecret')} />
                </dd>
                <dt>{t('auth.totp.uriLabel')}</dt>
                <dd>
                  <code className="auth-code auth-code--wrap" dir="ltr">
                    {setup.data.otpauthUri}
                  </code>
                  <div className="actions">
                    <CopyButton text={setup.data.otpauthUri} label={t('auth.totp.copyUri')} />
                    {/* On a phone, an otpauth: link opens the authenticator app with everything filled in. */}
                    <a href={setup.data.otpauthUri}>{t('auth.totp.openApp')}</a>
                  </div>
                </dd>
              </dl>
            </li>
            <li>
              <p>{t('auth.totp.stepCode')}</p>
              <Form
                onSubmit={submitConfirm}
                errors={confirmErrors.fieldErrors}
                formError={confirmErrors.formError}
              >
                <TextField
                  name="code"
                  label={t('auth.secondFactor.totpLabel')}
                  hint={t('auth.secondFactor.totpHint')}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  className="field--code"
                  maxLength={16}
                  spellCheck={false}
                  required
                />
                <div className="actions">
                  <Button type="submit" busy={confirm.isPending}>
                    {t('auth.totp.confirm')}
                  </Button>
                  <Button
                    variant="quiet"
                    onClick={() => {
                      setConfirmErrors(noErrors);
                      setup.reset();
                    }}
                  >
                    {t('auth.common.cancel')}
                  </Button>
                </div>
              </Form>
            </li>
          </ol>
        </div>
      ) : (
        <>
          <p className="auth-status">{t('auth.totp.off')}</p>
          <Button variant="secondary" busy={setup.isPending} onClick={() => setup.mutate()}>
            {t('auth.totp.setup')}
          </Button>
        </>
      )}

      <Dialog
        open={removing}
        onClose={() => {
          setRemoving(false);
          setRemoveErrors(noErrors);
        }}
        title={t('auth.totp.removeTitle')}
      >
        <Form onSubmit={submitRemove} errors={removeErrors.fieldErrors} formError={removeErrors.formError}>
          <p>{t('auth.totp.removeBody')}</p>
          {needsPassword && (
            <TextField
              name="currentPassword"
              type="password"
              label={t('auth.password.current')}
              autoComplete="current-password"
              required
            />
          )}
          <div className="actions">
            <Button type="submit" variant="danger" busy={remove.isPending}>
              {t('auth.totp.removeConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setRemoving(false)}>
              {t('auth.common.cancel')}
            </Button>
          </div>
        </Form>
      </Dialog>
    </section>
  );
}
