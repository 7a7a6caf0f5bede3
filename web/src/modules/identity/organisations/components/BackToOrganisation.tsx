import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** The way back to an organisation's page, named once its name is known. */
export function BackToOrganisation({ id, name }: { id: string; name: string | undefined }) {
  const { t } = useTranslation();
  return (
    <p className="orgs-back">
      <Link to={`/organisations/${id}`}>
        {name ? t('orgs.members.back', { name }) : t('orgs.members.backGeneric')}
      </Link>
    </p>
  );
}
