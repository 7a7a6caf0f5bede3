import type { ChangeEventHandler } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../../ui';

/** The telephone number of an office or a contact. */
export function PhoneField(props: {
  name: string;
  value: string;
  onChange: ChangeEventHandler<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  return (
    <TextField
      {...props}
      label={t('directory.editor.phone')}
      hint={t('directory.editor.phoneHint')}
      type="tel"
      dir="ltr"
      maxLength={30}
      autoComplete="off"
    />
  );
}
