import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, TextField } from '../../../ui';
import { authQueryKeys, type Passkey } from './authApi';
import { actionErrorsOf, missingFields, noErrors, textOf, type ActionErrors } from './formErrors';
import { addPasskey } from './passkeyApi';
import { meQueryKey } from './useMe';
import { describeUserAgent } from './userAgent';
import { passkeysSupported } from './webauthn';

/** A name for a new passkey that the person will recognise later, such as "Firefox on Android". */
function suggestedName(t: (key: string, values?: Record<string, unknown>) => string): string {
  const { browser, system } = describeUserAgent(navigator.userAgent);
  if (browser && system) return t('auth.device.browserOnSystem', { browser, system });
  return browser ?? system ?? '';
}

/**
 * Names and creates a passkey on this device. The name is asked first because a person with a laptop, a
 * phone and a security key needs to tell them apart when one is lost.
 */
export function AddPasskeyForm({ onAdded }: { onAdded?: (passkey: Passkey) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<ActionErrors>(noErrors);
  const [defaultName] = useState(() => suggestedName(t));
  const add = useMutation({ mutationFn: addPasskey });

  if (!passkeysSupported()) {
    return (
      <div className="notice notice--error">
        <p>{t('auth.passkey.unsupported')}</p>
      </div>
    );
  }

  const submit = (data: FormData, event: FormEvent<HTMLFormElement>) => {
    if (add.isPending) return;
    const missing = missingFields(data, { name: 'auth.passkey.nameRequired' }, t);
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    const form = event.currentTarget;
    add.mutate(textOf(data, 'name').trim(), {
      onSuccess: (passkey) => {
        form.reset();
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
        void queryClient.invalidateQueries({ queryKey: authQueryKeys.passkeys });
        onAdded?.(passkey);
      },
      onError: (error) => setErrors(actionErrorsOf(error, ['name'], t)),
    });
  };

  return (
    <Form onSubmit={submit} errors={errors.fieldErrors} formError={errors.formError}>
      <TextField
        name="name"
        label={t('auth.passkey.nameLabel')}
        hint={t('auth.passkey.nameHint')}
        defaultValue={defaultName}
        maxLength={80}
        autoComplete="off"
        required
      />
      <Button type="submit" busy={add.isPending}>
        {t('auth.passkey.add')}
      </Button>
    </Form>
  );
}
