import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Loading } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { casePaths, useDashboard, type Dashboard } from '../api';
import { CasesFrame } from '../CasesFrame';
import { CaseTable, type CaseRoles } from '../components';
import { useCaseFormat } from '../format';

/** The caseworker's dashboard: my open cases, due follow-ups, recently updated cases, closures to approve. */
export function DashboardPage() {
  const { t } = useTranslation();
  return (
    <CasesFrame title={t('cases.dashboard.title')}>{(roles) => <DashboardBody roles={roles} />}</CasesFrame>
  );
}

function DashboardBody({ roles }: { roles: CaseRoles }) {
  const { t } = useTranslation();
  const dashboard = useDashboard();
  return (
    <>
      <p className="actions">
        <Link className="button button--primary" to={casePaths.intake}>
          {t('cases.dashboard.newCase')}
        </Link>
      </p>
      {dashboard.isPending ? (
        <Loading />
      ) : dashboard.isError ? (
        <LoadError error={dashboard.error} onRetry={() => void dashboard.refetch()} />
      ) : (
        <DashboardSections data={dashboard.data} roles={roles} />
      )}
    </>
  );
}

function DashboardSections({ data, roles }: { data: Dashboard; roles: CaseRoles }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const awaitingLink = `${casePaths.list}?scope=organisation&closurePending=true`;
  return (
    <>
      {roles.supervisor && (
        <section className="orgs-section" aria-labelledby="cases-awaiting">
          <h2 id="cases-awaiting">{t('cases.dashboard.awaitingHeading')}</h2>
          {data.closuresAwaitingApproval > 0 ? (
            <p>
              <Link to={awaitingLink}>
                {t('cases.dashboard.awaiting', { count: data.closuresAwaitingApproval })}
              </Link>
            </p>
          ) : (
            <p className="muted">{t('cases.dashboard.noneAwaiting')}</p>
          )}
        </section>
      )}

      <section className="orgs-section" aria-labelledby="cases-due">
        <h2 id="cases-due">{t('cases.dashboard.dueHeading')}</h2>
        {data.dueFollowUps.length === 0 ? (
          <EmptyState>
            <p>{t('cases.dashboard.noneDue')}</p>
          </EmptyState>
        ) : (
          <ul className="cases-due">
            {data.dueFollowUps.map((item) => (
              <li
                key={item.entryId}
                className={item.overdue ? 'cases-due__item cases-due__item--overdue' : 'cases-due__item'}
              >
                <Link to={`${casePaths.file(item.caseId)}#cases-followUp`}>
                  {t('cases.dashboard.dueItem', { reference: item.reference })}
                </Link>{' '}
                <span>{t('cases.dashboard.dueOn', { date: format.day(item.dueOn) })}</span>{' '}
                {item.overdue && (
                  <span className="orgs-badge orgs-badge--danger">{t('cases.badges.overdue')}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="orgs-section" aria-labelledby="cases-mine">
        <h2 id="cases-mine">{t('cases.dashboard.mineHeading')}</h2>
        {data.myCases.length === 0 ? (
          <EmptyState>
            <p>{t('cases.dashboard.noneMine')}</p>
          </EmptyState>
        ) : (
          <CaseTable
            caption={t('cases.dashboard.mineCaption', { count: data.myCases.length })}
            cases={data.myCases}
          />
        )}
      </section>

      <section className="orgs-section" aria-labelledby="cases-recent">
        <h2 id="cases-recent">{t('cases.dashboard.recentHeading')}</h2>
        {data.recentlyUpdated.length === 0 ? (
          <EmptyState>
            <p>{t('cases.dashboard.noneRecent')}</p>
          </EmptyState>
        ) : (
          <CaseTable
            caption={t('cases.dashboard.recentCaption', { count: data.recentlyUpdated.length })}
            cases={data.recentlyUpdated}
          />
        )}
        <p>
          <Link to={casePaths.list}>{t('cases.dashboard.allCases')}</Link>
        </p>
      </section>
    </>
  );
}
