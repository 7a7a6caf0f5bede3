import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/problem';
import { Button, Loading, PageHeading, Table, useToast, type TableColumn } from '../ui';

interface StatusRow {
  key: string;
  label: string;
  value: string;
}

/** Shows whether the server and its database answer, which helps an administrator after an install. */
export function StatusPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const health = useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/health', { signal })),
  });

  const { data } = health;

  const columns: TableColumn<StatusRow>[] = [
    { key: 'check', header: t('status.check'), cell: (row) => row.label, isRowHeader: true },
    { key: 'result', header: t('status.result'), cell: (row) => row.value },
  ];

  const checkAgain = async () => {
    const result = await health.refetch();
    if (result.isSuccess) toast.show(t('status.refreshed'), { tone: 'success' });
  };

  const refreshButton = (
    <Button variant="secondary" busy={health.isFetching} onClick={() => void checkAgain()}>
      {t('status.refresh')}
    </Button>
  );

  return (
    <div className="page page--narrow">
      <PageHeading>{t('status.title')}</PageHeading>
      <p>{t('status.intro')}</p>
      {health.isPending && <Loading />}
      {health.isError && (
        <div className="notice notice--error" role="alert">
          {/* The server's problem title is already in the reader's language; a network failure has none. */}
          <p>
            {health.error instanceof ApiError && health.error.problem
              ? health.error.problem.title
              : t('status.loadError')}
          </p>
          {refreshButton}
        </div>
      )}
      {data && (
        <>
          <Table
            caption={t('status.caption')}
            columns={columns}
            rowKey={(row) => row.key}
            rows={[
              {
                key: 'server',
                label: t('status.server'),
                value: t('status.serverState', { status: data.status }),
              },
              {
                key: 'database',
                label: t('status.database'),
                value: t('status.databaseKind', { database: data.database }),
              },
              { key: 'version', label: t('status.version'), value: data.version },
            ]}
          />
          <p className="muted">{t('status.checkedAt', { checkedAt: new Date(health.dataUpdatedAt) })}</p>
          {refreshButton}
        </>
      )}
    </div>
  );
}
