import { useTranslation } from 'react-i18next';
import { activeMembershipOf, useMe } from '../../identity/auth/useMe';
import { exportHref } from './fields';
import './import.css';

/**
 * Links that download the current search's organisations as CSV or as HTCDS `org_` records. Shown to
 * members and platform staff only (the server refuses everyone else); the file holds only what they see.
 */
export function ExportLinks({ params }: { params: URLSearchParams }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const person = me?.level === 'full' && me.hasRequiredFactor ? me : null;
  if (!person || !(activeMembershipOf(person) || person.abilities.moderate)) return null;
  return (
    <div className="export-links">
      <p className="export-links__label" id="export-links-label">
        {t('directoryImport.export.label')}
      </p>
      <ul aria-labelledby="export-links-label">
        <li>
          <a href={exportHref(params, 'csv')} download>
            {t('directoryImport.export.csv')}
          </a>
        </li>
        <li>
          <a href={exportHref(params, 'htcds')} download>
            {t('directoryImport.export.htcds')}
          </a>
        </li>
      </ul>
      <p className="field__hint">{t('directoryImport.export.hint')}</p>
    </div>
  );
}
