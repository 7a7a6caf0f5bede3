import { useTranslation } from 'react-i18next';
import { SelectField } from '../../../identity/organisations/components/fields';
import { VISIBILITY_LEVELS, vocabularyKey, type ProfileField, type Visibility } from '../../vocabulary';

/** Who may see one field of the profile: the public, members, or partners only. */
export function VisibilityField({
  field,
  value,
  onChange,
}: {
  field: ProfileField;
  value: Visibility;
  onChange: (value: Visibility) => void;
}) {
  const { t } = useTranslation();
  return (
    <SelectField
      name={`visibility.${field}`}
      className="dir-editor__visibility"
      label={t('directory.editor.visibilityOf', { field: t(`directory.fields.${field}`) })}
      options={VISIBILITY_LEVELS.map((level) => ({
        value: level,
        label: t(vocabularyKey('visibility', level)),
      }))}
      value={value}
      onChange={(event) => {
        const level = VISIBILITY_LEVELS.find((l) => l === event.target.value);
        if (level) onChange(level);
      }}
    />
  );
}
