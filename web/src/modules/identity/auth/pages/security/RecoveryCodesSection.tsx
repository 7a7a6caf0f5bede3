import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, saveFile, useToast } from '../../../../../ui';
import { generateRecoveryCodes } from '../../authApi';
import { formatDateTime, recoveryCodesFile } from '../../format';
import { actionErrorsOf } from '../../formErrors';
import { meQueryKey, type Me } from '../../useMe';
import { CopyButton } from './CopyButton';

/**
 * Recovery codes: how many are left, and making a new set, which is shown exactly once. The codes live only
 * in this component's state: they are not cached, stored or sent anywhere, and leave the page when the
 * person says they have saved them.
 */
export function RecoveryCodesSection({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [codes, setCodes] = useState<{ list: string[]; at: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const generate = useMutation({
    mutationFn: generateRecoveryCodes,
    onSuccess: (list) => {
      setCodes({ list, at: new Date().toISOString() });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
    onError: (error) => toast.show(actionErrorsOf(error, [], t).formError ?? '', { tone: 'error' }),
  });

  useEffect(() => {
    if (codes) heading.current?.focus();
  }, [codes]);

  // Codes stand in for a passkey or an app; the API makes them only for someone who has one.
  const hasFactor = me.factors.passkeys > 0 || me.factors.totp;
  const left = me.factors.recoveryCodesLeft;

  const start = () => {
    if (left > 0) setConfirming(true);
    else generate.mutate();
  };

  if (codes) {
    const language = i18n.resolvedLanguage ?? 'en';
    const text = recoveryCodesFile(
      t('auth.recovery.fileHeading', { email: me.person.email }),
      formatDateTime(codes.at, language),
      codes.list,
    );
    return (
      <section className="auth-section" aria-labelledby="security-recovery">
        <h2 id="security-recovery" ref={heading} tabIndex={-1}>
          {t('auth.recovery.newHeading')}
        </h2>
        <div className="notice notice--warning">
          <p>
            <strong>{t('auth.recovery.warningTitle')}</strong>
          </p>
          <p>{t('auth.recovery.warning')}</p>
        </div>
        <ol className="recovery-codes" dir="ltr" data-testid="recovery-codes">
          {codes.list.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <div className="actions">
          <CopyButton text={codes.list.join('\n')} label={t('auth.recovery.copy')} />
          <Button variant="secondary" onClick={() => saveFile(text, 'cairn-recovery-codes.txt')}>
            {t('auth.recovery.download')}
          </Button>
          <Button onClick={() => setCodes(null)}>{t('auth.recovery.saved')}</Button>
        </div>
      </section>
    );
  }

  return (
    <section className="auth-section" aria-labelledby="security-recovery">
      <h2 id="security-recovery">{t('auth.recovery.heading')}</h2>
      <p>{t('auth.recovery.intro')}</p>
      {hasFactor ? (
        <>
          <p className="auth-status">{t('auth.recovery.left', { count: left })}</p>
          <Button variant="secondary" busy={generate.isPending} onClick={start}>
            {t('auth.recovery.generate')}
          </Button>
        </>
      ) : (
        <p className="auth-status">{t('auth.recovery.needFactor')}</p>
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t('auth.recovery.replaceTitle')}
        footer={
          <>
            <Button
              onClick={() => {
                setConfirming(false);
                generate.mutate();
              }}
            >
              {t('auth.recovery.replaceConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              {t('auth.common.cancel')}
            </Button>
          </>
        }
      >
        <p>{t('auth.recovery.replaceBody', { count: left })}</p>
      </Dialog>
    </section>
  );
}
