import { useTranslation } from 'react-i18next';
import type { Organisation } from '../api';
import { useFormat } from '../format';

/**
 * What an organisation said about itself, as a description list. The website is shown as a link only when
 * it is http(s) (the server accepts nothing else; this is a second lock), and it opens without sending
 * Cairn's address or giving the site a handle on this tab.
 */
export function OrganisationDetails({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const format = useFormat();
  const website =
    organisation.website && /^https?:\/\//i.test(organisation.website) ? organisation.website : null;
  return (
    <dl className="orgs-details">
      <dt>{t('orgs.fields.type')}</dt>
      <dd>{t(`orgs.types.${organisation.type}`)}</dd>
      <dt>{t('orgs.fields.countries')}</dt>
      <dd>{format.countries(organisation.countries)}</dd>
      <dt>{t('orgs.fields.website')}</dt>
      <dd>
        {website ? (
          <a href={website} rel="noopener noreferrer nofollow" target="_blank" className="orgs-break">
            {website}
            <span className="visually-hidden">{` ${t('orgs.fields.opensInNewTab')}`}</span>
          </a>
        ) : (
          t('orgs.fields.none')
        )}
      </dd>
      <dt>{t('orgs.fields.submitted')}</dt>
      <dd>{format.date(organisation.createdAt)}</dd>
    </dl>
  );
}
