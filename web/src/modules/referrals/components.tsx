import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink } from 'react-router';
import { api } from '../../api/client';
import { Button, PageHeading } from '../../ui';
import { RequireSignIn } from '../identity/auth/RequireSignIn';
import { FieldText, fieldClass, useFieldFrame } from '../identity/organisations/components/fields';
import { useFormat } from '../identity/organisations/format';
import { required } from '../identity/organisations/queries';
import type { ReferralState, ReferralUrgency, TransferState } from './api';
import { referralPaths } from './paths';
import { referralRolesOf, useReferralRoles, type ReferralRoles } from './roles';
import '../identity/organisations/organisations.css';
import '../directory/profile/profile.css';
import '../directory/search/search.css';
import '../cases/cases.css';
import './referrals.css';

/** Who may see a referral page: case staff (most pages) or people with statistics. */
export type ReferralAudience = 'caseStaff' | 'statistics' | 'platformStaff';

/**
 * The frame of every referral page: heading, tabs, and the sign-in and role gates. The gates only spare
 * people a page of refusals: the server checks every request itself.
 */
export function ReferralsFrame({
  title,
  audience = 'caseStaff',
  tabs = true,
  children,
}: {
  title: string;
  audience?: ReferralAudience;
  tabs?: boolean;
  children: (roles: ReferralRoles) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="page cases-page referrals-page">
      <PageHeading>{title}</PageHeading>
      <RequireSignIn>
        {(me) => {
          const roles = referralRolesOf(me);
          return (
            <>
              {tabs && <ReferralTabs />}
              {roles[audience] ? (
                children(roles)
              ) : (
                <div className="notice" role="alert">
                  <p>{t(`referrals.gate.${audience}`)}</p>
                  <p>
                    <Link to="/">{t('cases.gate.home')}</Link>
                  </p>
                </div>
              )}
            </>
          );
        }}
      </RequireSignIn>
    </div>
  );
}

/** Links between the referral pages, by role. */
export function ReferralTabs() {
  const { t } = useTranslation();
  const roles = useReferralRoles();
  return (
    <nav className="orgs-tabs" aria-label={t('referrals.tabs.label')}>
      <ul>
        {roles.caseStaff && (
          <li>
            <NavLink to={referralPaths.list} end>
              {t('referrals.tabs.lists')}
            </NavLink>
          </li>
        )}
        {roles.statistics && (
          <li>
            <NavLink to={referralPaths.statistics}>{t('referrals.tabs.statistics')}</NavLink>
          </li>
        )}
        {roles.platformStaff && (
          <li>
            <NavLink to={referralPaths.platformStatistics}>{t('referrals.tabs.platformStatistics')}</NavLink>
          </li>
        )}
      </ul>
    </nav>
  );
}

const stateTone: Record<ReferralState, string> = {
  draft: 'neutral',
  sent: 'info',
  acknowledged: 'info',
  accepted: 'success',
  declined: 'danger',
  in_progress: 'info',
  completed: 'success',
  closed: 'neutral',
  cancelled: 'neutral',
};

/** A referral's state, with an overdue flag (the words carry the meaning, not the colour). */
export function ReferralStateBadge({ state, overdue }: { state: ReferralState; overdue?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="orgs-badges">
      <span className={`orgs-badge orgs-badge--${stateTone[state]}`}>{t(`referrals.states.${state}`)}</span>
      {overdue && <span className="orgs-badge orgs-badge--danger">{t('referrals.overdue')}</span>}
    </span>
  );
}

/** A referral's urgency, shown only when it is more than normal. */
export function UrgencyBadge({ urgency }: { urgency: ReferralUrgency }) {
  const { t } = useTranslation();
  if (urgency === 'normal') return null;
  return (
    <span className={`orgs-badge orgs-badge--${urgency === 'emergency' ? 'danger' : 'warning'}`}>
      {t(`referrals.urgencies.${urgency}`)}
    </span>
  );
}

const transferTone: Record<TransferState, string> = {
  requested: 'info',
  accepted: 'success',
  rejected: 'danger',
  revoked: 'neutral',
};

/** A transfer's state. */
export function TransferStateBadge({ state }: { state: TransferState }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${transferTone[state]}`}>
      {t(`referrals.transferStates.${state}`)}
    </span>
  );
}

/** An organisation and where it works. */
export function OrganisationLabel({ name, countries }: { name: string; countries?: readonly string[] }) {
  const format = useFormat();
  return (
    <>
      {name}
      {countries && countries.length > 0 && <span className="muted"> ({format.countries(countries)})</span>}
    </>
  );
}

/** An organisation the picker found. */
export interface PickedOrganisation {
  id: string;
  name: string;
  countries: string[];
}

/**
 * Picks a recipient organisation from the directory's search: a search box and a short list of radio
 * buttons, the same on every phone and screen reader (as the case consent form's picker).
 */
export function OrganisationPicker({
  name,
  legend,
  hint,
  value,
  onChange,
}: {
  name: string;
  legend: string;
  hint: string;
  value: PickedOrganisation | null;
  onChange: (organisation: PickedOrganisation | null) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const frame = useFieldFrame(name, hint, undefined);
  const radioName = useId();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<PickedOrganisation[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const search = async () => {
    if (query.trim().length < 2) return;
    setBusy(true);
    setFailed(false);
    try {
      const result = await required(
        api.GET('/api/directory/search', {
          params: {
            query: {
              q: query.trim(),
              service: [],
              population: [],
              exploitation: [],
              country: [],
              region: [],
              language: [],
              focus: [],
              industry: [],
              type: [],
              network: [],
              tier: [],
              pageSize: 10,
            },
          },
        }),
      );
      setHits(
        result.items.map((hit) => ({ id: hit.organisationId, name: hit.name, countries: hit.countries })),
      );
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group cases-picker')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{legend}</legend>
      <FieldText frame={frame} hint={hint} />
      {value && (
        <p className="cases-picker__chosen">
          {t('referrals.picker.chosen', { name: value.name })}
          {value.countries.length > 0 && ` (${format.countries(value.countries)})`}
        </p>
      )}
      <label htmlFor={frame.id} className="orgs-countries__search-label">
        {t('referrals.picker.search')}
      </label>
      <div className="cases-picker__search">
        <input
          id={frame.id}
          type="search"
          className="field__input"
          value={query}
          autoComplete="off"
          aria-invalid={frame.message ? true : undefined}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            // Enter searches here instead of submitting the whole form.
            if (event.key === 'Enter') {
              event.preventDefault();
              void search();
            }
          }}
        />
        <Button variant="secondary" busy={busy} onClick={() => void search()}>
          {t('referrals.picker.find')}
        </Button>
      </div>
      <div aria-live="polite">
        {failed && <p className="field__error">{t('orgs.errors.network')}</p>}
        {hits && hits.length === 0 && <p className="muted">{t('referrals.picker.none')}</p>}
      </div>
      {hits && hits.length > 0 && (
        <ul className="orgs-choices cases-picker__list">
          {hits.map((hit) => (
            <li key={hit.id} className="orgs-choice orgs-choice--compact">
              <input
                type="radio"
                id={`${radioName}-${hit.id}`}
                name={radioName}
                checked={value?.id === hit.id}
                onChange={() => onChange(hit)}
              />
              <label htmlFor={`${radioName}-${hit.id}`}>
                {hit.name}
                {hit.countries.length > 0 && (
                  <span className="muted"> ({format.countries(hit.countries)})</span>
                )}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
