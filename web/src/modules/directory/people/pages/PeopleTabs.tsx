import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { peoplePaths } from '../people';

/**
 * The people pages' own navigation: find people, my profile, my messages. NavLink marks the current one
 * with aria-current, which the tab style and screen readers both use.
 */
export function PeopleTabs() {
  const { t } = useTranslation();
  return (
    <nav className="orgs-tabs" aria-label={t('people.tabs.label')}>
      <ul>
        <li>
          <NavLink to={peoplePaths.search} end>
            {t('people.tabs.search')}
          </NavLink>
        </li>
        <li>
          <NavLink to={peoplePaths.myProfile}>{t('people.tabs.mine')}</NavLink>
        </li>
        <li>
          <NavLink to={peoplePaths.messages}>{t('people.tabs.messages')}</NavLink>
        </li>
      </ul>
    </nav>
  );
}
