import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { activeMembershipOf, useMe } from '../identity/auth/useMe';
import { SupportNavLinks } from './support/SupportNavLinks';

/**
 * The header's links to the directory pages (list items for the frame's navigation list). Each area of the
 * directory adds its link here, shown by the signed-in person's abilities where it needs them.
 */
export function DirectoryNavLinks() {
  const { t } = useTranslation();
  const me = useMe();
  const person = me.data?.level === 'full' ? me.data : null;
  const organisation = person ? activeMembershipOf(person)?.organisation : undefined;
  return (
    <>
      {/* The directory is public: everyone gets the link; members see more once there. */}
      <li>
        <NavLink to="/directory" end>
          {t('directory.nav.directory')}
        </NavLink>
      </li>
      {person?.abilities.administerOrganisation && organisation && (
        <li>
          <NavLink to={`/directory/organisations/${organisation.id}/edit`}>
            {t('directory.nav.myProfile')}
          </NavLink>
        </li>
      )}
      {/* People and messages are for members acting for an active organisation (the server's gate). */}
      {person?.hasRequiredFactor && organisation?.status === 'active' && (
        <>
          <li>
            <NavLink to="/directory/people">{t('people.nav.people')}</NavLink>
          </li>
          <li>
            <NavLink to="/directory/messages">{t('people.nav.messages')}</NavLink>
          </li>
        </>
      )}
      {/* Find support (case roles) and unmet needs (platform staff). */}
      <SupportNavLinks />
      {/* Platform staff import organisations for network coordinators. */}
      {person?.abilities.moderate && person.hasRequiredFactor && (
        <li>
          <NavLink to="/directory/import">{t('directoryImport.nav.import')}</NavLink>
        </li>
      )}
    </>
  );
}
