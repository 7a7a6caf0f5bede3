import { useTranslation } from 'react-i18next';
import {
  ContactView,
  DocumentsView,
  IdentityView,
  NarrativeView,
  ProfileView,
  VictimView,
} from '../cases/file/views';
import type { ReferralCase } from './api';

/** The sections a view can show: a referral's shared case, or a transfer's kept record. */
export type CaseSections = Pick<
  ReferralCase,
  'identity' | 'contact' | 'documents' | 'narrative' | 'profile' | 'victim' | 'entries'
> &
  Partial<Pick<ReferralCase, 'needsReveal' | 'revealed'>>;

/** The sections a referral shares (or a kept record holds), each under its heading; what needs a reveal says so. */
export function SharedCaseView({ shared }: { shared: CaseSections }) {
  const { t } = useTranslation();
  const title = (section: string) => <h3>{t(`cases.vocabulary.sections.${section}`)}</h3>;
  const hidden = shared.needsReveal ?? [];
  const entryCounts = new Map<string, number>();
  for (const entry of shared.entries) entryCounts.set(entry.kind, (entryCounts.get(entry.kind) ?? 0) + 1);
  return (
    <div className="referrals-shared">
      {shared.identity && (
        <>
          {title('identity')}
          <IdentityView identity={shared.identity} />
        </>
      )}
      {shared.contact && (
        <>
          {title('contact')}
          <ContactView contact={shared.contact} />
        </>
      )}
      {shared.documents && (
        <>
          {title('documents')}
          <DocumentsView documents={shared.documents} />
        </>
      )}
      {shared.narrative && (
        <>
          {title('narrative')}
          <NarrativeView narrative={shared.narrative} />
        </>
      )}
      {shared.profile && (
        <>
          {title('profile')}
          <ProfileView profile={shared.profile} />
        </>
      )}
      {shared.victim && (
        <>
          {title('victim')}
          <VictimView victim={shared.victim} />
        </>
      )}
      {entryCounts.size > 0 && (
        <>
          <h3>{t('referrals.shared.entries')}</h3>
          <ul>
            {[...entryCounts].map(([kind, count]) => (
              <li key={kind}>
                {t('referrals.shared.entryCount', { kind: t(`referrals.shared.kinds.${kind}`), count })}
              </li>
            ))}
          </ul>
        </>
      )}
      {hidden.length > 0 && !shared.revealed && (
        <p className="muted">
          {t('referrals.shared.needsReveal', {
            sections: hidden.map((section) => t(`cases.vocabulary.sections.${section}`)).join(', '),
          })}
        </p>
      )}
    </div>
  );
}
