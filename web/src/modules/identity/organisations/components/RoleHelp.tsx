import { useTranslation } from 'react-i18next';
import { ROLES } from '../vocabulary';

/** What each role may do, folded away until asked for so the form stays short on a phone. */
export function RoleHelp() {
  const { t } = useTranslation();
  return (
    <details className="orgs-role-help">
      <summary>{t('orgs.members.rolesHelp')}</summary>
      <dl className="orgs-details orgs-details--stacked">
        {ROLES.map((role) => (
          <div key={role}>
            <dt>{t(`orgs.roles.${role}.name`)}</dt>
            <dd>{t(`orgs.roles.${role}.description`)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
