import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Loading, PageHeading, Table, useToast, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { useMyRoutes, useWithdrawRoute, type Route } from '../api';
import { periodText, routeText } from '../describe';
import { journeyPaths } from '../paths';
import { journeyVocabularyKey } from '../vocabulary';
import '../journeys.css';

/**
 * The organisation's own contributions, with where each stands in moderation and the moderator's note. A
 * contribution waiting for (or answering) a moderator can still be changed or withdrawn; a decided one cannot.
 */
export function ContributionsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const routes = useMyRoutes();
  const withdraw = useWithdrawRoute();
  const number = useMemo(() => new Intl.NumberFormat([format.language]), [format.language]);

  const columns: TableColumn<Route>[] = [
    {
      key: 'route',
      header: t('journeys.contributions.route'),
      cell: (route) => routeText(route, format.language),
      isRowHeader: true,
    },
    {
      key: 'period',
      header: t('journeys.contributions.periodHeader'),
      cell: (route) => periodText(route, t),
    },
    {
      key: 'people',
      header: t('journeys.contributions.people'),
      cell: (route) => number.format(route.people),
      align: 'end',
    },
    {
      key: 'status',
      header: t('journeys.contributions.status'),
      cell: (route) => (
        <>
          <span className={`orgs-badge journeys-status journeys-status--${route.status}`}>
            {t(journeyVocabularyKey('statuses', route.status))}
          </span>
          {route.moderatorNote && (
            <p className="journeys__note">
              {t('journeys.contributions.note', { note: route.moderatorNote })}
            </p>
          )}
        </>
      ),
    },
    {
      key: 'actions',
      header: t('journeys.contributions.actions'),
      cell: (route) => {
        const label = routeText(route, format.language);
        return route.abilities.update || route.abilities.delete ? (
          <div className="journeys__actions">
            {route.abilities.update && (
              <Link
                to={journeyPaths.edit(route.id)}
                aria-label={t('journeys.contributions.editRoute', { route: label })}
              >
                {t('journeys.contributions.edit')}
              </Link>
            )}
            {route.abilities.delete && (
              <Button
                variant="quiet"
                busy={withdraw.isPending && withdraw.variables === route.id}
                aria-label={t('journeys.contributions.withdrawRoute', { route: label })}
                onClick={() => {
                  if (!window.confirm(t('journeys.contributions.confirmWithdraw'))) return;
                  withdraw.mutate(route.id, {
                    onSuccess: () => toast.show(t('journeys.contributions.withdrawn'), { tone: 'success' }),
                    onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
                  });
                }}
              >
                {t('journeys.contributions.withdraw')}
              </Button>
            )}
          </div>
        ) : (
          <span className="muted">{t('journeys.contributions.decided')}</span>
        );
      },
    },
  ];

  return (
    <div className="journeys">
      <PageHeading>{t('journeys.contributions.title')}</PageHeading>
      <p className="journeys__lead">{t('journeys.contributions.lead')}</p>
      <p>
        <Link to={journeyPaths.contribute} className="button button--primary">
          {t('journeys.nav.contribute')}
        </Link>{' '}
        <Link to={journeyPaths.import} className="button button--secondary">
          {t('journeys.nav.import')}
        </Link>
      </p>
      {routes.isPending ? (
        <Loading />
      ) : routes.isError ? (
        <LoadError error={routes.error} onRetry={() => void routes.refetch()} />
      ) : routes.data.items.length === 0 ? (
        <EmptyState>{t('journeys.contributions.empty')}</EmptyState>
      ) : (
        <Table
          caption={t('journeys.contributions.caption', { count: routes.data.items.length })}
          columns={columns}
          rows={routes.data.items}
          rowKey={(route) => route.id}
        />
      )}
    </div>
  );
}
