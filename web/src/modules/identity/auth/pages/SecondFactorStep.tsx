import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, TextField, useToast } from '../../../../ui';
import { signInWithRecoveryCode, signInWithTotp, signOut, type FactorKind } from '../authApi';
import {
  actionErrorsOf,
  hasProblemCode,
  missingFields,
  noErrors,
  textOf,
  type ActionErrors,
} from '../formErrors';
import { signInWithPasskey } from '../passkeyApi';
import { forgetSignedInPerson } from '../useMe';
import { passkeysSupported } from '../webauthn';

/** Props of {@link SecondFactorStep}. */
export interface SecondFactorStepProps {
  factors: readonly FactorKind[];
  /** Called once the session is complete. */
  onSignedIn: () => Promise<void>;
  /** Called once the half-finished session has been signed out, to show the password step again. */
  onCancelled: () => void;
}

/** Reads a wrong code as a problem with the code field: "invalid credentials" would speak of a password. */
function codeErrors(error: unknown, t: (key: string) => string, wrongKey: string): ActionErrors {
  if (hasProblemCode(error, 'invalid_credentials')) return { fieldErrors: { code: t(wrongKey) } };
  return actionErrorsOf(error, ['code'], t);
}

/**
 * The second sign-in step, with whichever factors the person has: their passkey, a code from their
 * authenticator app, or (behind a link, as a last resort) one of their recovery codes.
 */
export function SecondFactorStep({ factors, onSignedIn, onCancelled }: SecondFactorStepProps) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const hasPasskey = factors.includes('passkey') && passkeysSupported();
  const hasTotp = factors.includes('totp');
  const hasRecovery = factors.includes('recovery_code');
  // Recovery codes are offered up front only when nothing else can be used on this device.
  const [showRecovery, setShowRecovery] = useState(!hasPasskey && !hasTotp && hasRecovery);
  const [passkeyError, setPasskeyError] = useState<string | undefined>();
  const [totpErrors, setTotpErrors] = useState<ActionErrors>(noErrors);
  const [recoveryErrors, setRecoveryErrors] = useState<ActionErrors>(noErrors);

  // The page did not change, only its content: move focus so screen readers announce the new step.
  useEffect(() => heading.current?.focus(), []);

  const passkey = useMutation({
    mutationFn: signInWithPasskey,
    onSuccess: onSignedIn,
    onError: (error) => setPasskeyError(actionErrorsOf(error, [], t).formError),
  });
  const totp = useMutation({
    mutationFn: signInWithTotp,
    onSuccess: onSignedIn,
    onError: (error) => setTotpErrors(codeErrors(error, t, 'auth.secondFactor.totpWrong')),
  });
  const recovery = useMutation({
    mutationFn: signInWithRecoveryCode,
    onSuccess: async (left) => {
      if (left !== undefined) {
        toast.show(t('auth.secondFactor.recoveryLeft', { count: left }), {
          tone: left <= 3 ? 'error' : 'info',
        });
      }
      await onSignedIn();
    },
    onError: (error) => setRecoveryErrors(codeErrors(error, t, 'auth.secondFactor.recoveryWrong')),
  });
  const cancel = useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      forgetSignedInPerson(queryClient);
      onCancelled();
    },
    onError: () => toast.show(t('auth.signOut.failed'), { tone: 'error' }),
  });

  const busy = passkey.isPending || totp.isPending || recovery.isPending;

  const submitCode = (
    data: FormData,
    mutation: typeof totp | typeof recovery,
    setErrors: (errors: ActionErrors) => void,
    requiredKey: string,
  ) => {
    if (busy) return;
    const missing = missingFields(data, { code: requiredKey }, t);
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    mutation.mutate(textOf(data, 'code').trim());
  };

  return (
    <section className="auth-step" aria-labelledby="second-factor-heading">
      <h2 id="second-factor-heading" ref={heading} tabIndex={-1}>
        {t('auth.secondFactor.title')}
      </h2>
      <p>{t('auth.secondFactor.intro')}</p>

      {factors.length === 0 && (
        <div className="notice notice--error">
          <p>{t('auth.secondFactor.none')}</p>
        </div>
      )}

      {hasPasskey && (
        <div className="auth-option">
          <h3>{t('auth.secondFactor.passkeyHeading')}</h3>
          {passkeyError && (
            <p className="field__error" role="alert">
              {passkeyError}
            </p>
          )}
          <Button
            busy={passkey.isPending}
            onClick={() => {
              if (busy) return;
              setPasskeyError(undefined);
              passkey.mutate();
            }}
          >
            {t('auth.secondFactor.usePasskey')}
          </Button>
        </div>
      )}

      {hasTotp && (
        <div className="auth-option">
          <h3>{t('auth.secondFactor.totpHeading')}</h3>
          <Form
            onSubmit={(data) => submitCode(data, totp, setTotpErrors, 'auth.secondFactor.totpRequired')}
            errors={totpErrors.fieldErrors}
            formError={totpErrors.formError}
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
            <Button type="submit" variant={hasPasskey ? 'secondary' : 'primary'} busy={totp.isPending}>
              {t('auth.secondFactor.verify')}
            </Button>
          </Form>
        </div>
      )}

      {hasRecovery && !showRecovery && (
        <p>
          <Button variant="quiet" onClick={() => setShowRecovery(true)}>
            {t('auth.secondFactor.useRecovery')}
          </Button>
        </p>
      )}

      {hasRecovery && showRecovery && (
        <div className="auth-option">
          <h3>{t('auth.secondFactor.recoveryHeading')}</h3>
          <Form
            onSubmit={(data) =>
              submitCode(data, recovery, setRecoveryErrors, 'auth.secondFactor.recoveryRequired')
            }
            errors={recoveryErrors.fieldErrors}
            formError={recoveryErrors.formError}
          >
            <TextField
              name="code"
              label={t('auth.secondFactor.recoveryLabel')}
              hint={t('auth.secondFactor.recoveryHint')}
              autoComplete="off"
              autoCapitalize="characters"
              className="field--code"
              maxLength={64}
              spellCheck={false}
              required
            />
            <Button type="submit" variant="secondary" busy={recovery.isPending}>
              {t('auth.secondFactor.verify')}
            </Button>
          </Form>
        </div>
      )}

      <p className="auth-step__cancel">
        <Button variant="quiet" busy={cancel.isPending} onClick={() => cancel.mutate()}>
          {t('auth.secondFactor.cancel')}
        </Button>
      </p>
    </section>
  );
}
