import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Loading, PageHeading } from '../../../ui';
import { LoadError } from '../../identity/organisations/components/notices';
import { useRoute } from '../api';
import { RouteForm } from '../RouteForm';
import '../journeys.css';

/** Contribute a route for the organisation (it waits for a moderator before it counts on the map). */
export function ContributePage() {
  const { t } = useTranslation();
  return (
    <div className="journeys">
      <PageHeading>{t('journeys.form.title')}</PageHeading>
      <p className="journeys__lead">{t('journeys.form.lead')}</p>
      <RouteForm />
    </div>
  );
}

/** Change a contribution that waits for, or answers, a moderator. */
export function EditRoutePage() {
  const { t } = useTranslation();
  const { routeId = '' } = useParams();
  const route = useRoute(routeId);
  return (
    <div className="journeys">
      <PageHeading>{t('journeys.form.editTitle')}</PageHeading>
      {route.isPending ? (
        <Loading />
      ) : route.isError ? (
        <LoadError error={route.error} onRetry={() => void route.refetch()} />
      ) : route.data.abilities.update ? (
        <>
          {route.data.moderatorNote && (
            <div className="notice" role="note">
              <p>{t('journeys.contributions.note', { note: route.data.moderatorNote })}</p>
            </div>
          )}
          <RouteForm route={route.data} />
        </>
      ) : (
        <p>{t('journeys.form.locked')}</p>
      )}
    </div>
  );
}
