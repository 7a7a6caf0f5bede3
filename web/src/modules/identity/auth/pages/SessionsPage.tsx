import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Loading,
  PageHeading,
  Table,
  useToast,
  VisuallyHidden,
  type TableColumn,
} from '../../../../ui';
import { authQueryKeys, listSessions, revokeOtherSessions, revokeSession, type Session } from '../authApi';
import { formatDateTime } from '../format';
import { actionErrorsOf } from '../formErrors';
import { QueryProblem } from '../QueryProblem';
import { RequireSignIn } from '../RequireSignIn';
import { describeUserAgent } from '../userAgent';
import './auth.css';

/** The list of the person's sessions, with signing out one or all the others. */
function SessionList() {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  const queryClient = useQueryClient();
  const toast = useToast();
  const sessions = useQuery({
    queryKey: authQueryKeys.sessions,
    queryFn: ({ signal }) => listSessions(signal),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: authQueryKeys.sessions });
  const fail = (error: unknown) =>
    toast.show(actionErrorsOf(error, [], t).formError ?? t('auth.errors.network'), { tone: 'error' });

  const revokeOne = useMutation({
    mutationFn: (session: Session) => revokeSession(session.id),
    onSuccess: async () => {
      toast.show(t('auth.sessions.revoked'), { tone: 'success' });
      await refresh();
    },
    onError: fail,
  });
  const revokeOthers = useMutation({
    mutationFn: revokeOtherSessions,
    onSuccess: async () => {
      toast.show(t('auth.sessions.othersRevoked'), { tone: 'success' });
      await refresh();
    },
    onError: fail,
  });

  const device = (session: Session) => {
    const { browser, system } = describeUserAgent(session.userAgent);
    if (browser && system) return t('auth.device.browserOnSystem', { browser, system });
    return browser ?? system ?? t('auth.device.unknown');
  };

  const columns: TableColumn<Session>[] = [
    {
      key: 'device',
      header: t('auth.sessions.device'),
      isRowHeader: true,
      cell: (row) => (
        <>
          {device(row)}
          {row.current && <span className="auth-badge">{t('auth.sessions.current')}</span>}
        </>
      ),
    },
    // An address is a hint, not proof of place; it is the server's view and may be a proxy's.
    {
      key: 'ip',
      header: t('auth.sessions.address'),
      cell: (row) => <bdi>{row.ip ?? t('auth.sessions.noAddress')}</bdi>,
    },
    {
      key: 'created',
      header: t('auth.sessions.signedIn'),
      cell: (row) => formatDateTime(row.createdAt, language),
    },
    {
      key: 'seen',
      header: t('auth.sessions.lastActive'),
      cell: (row) => formatDateTime(row.lastSeenAt, language),
    },
    {
      key: 'actions',
      header: t('auth.sessions.actions'),
      cell: (row) =>
        row.current ? (
          <span className="muted">{t('auth.sessions.thisDevice')}</span>
        ) : (
          <Button
            variant="secondary"
            className="auth-row-action"
            busy={revokeOne.isPending && revokeOne.variables?.id === row.id}
            onClick={() => revokeOne.mutate(row)}
          >
            {t('auth.sessions.revoke')}
            <VisuallyHidden>{` ${device(row)}, ${formatDateTime(row.lastSeenAt, language)}`}</VisuallyHidden>
          </Button>
        ),
    },
  ];

  if (sessions.isPending) return <Loading />;
  if (sessions.isError) {
    return (
      <QueryProblem
        error={sessions.error}
        busy={sessions.isFetching}
        onRetry={() => void sessions.refetch()}
      />
    );
  }
  const others = sessions.data.filter((session) => !session.current).length;
  return (
    <>
      <Table
        caption={t('auth.sessions.caption')}
        columns={columns}
        rows={sessions.data}
        rowKey={(row) => row.id}
      />
      {others > 0 ? (
        <Button variant="danger" busy={revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
          {t('auth.sessions.revokeOthers', { count: others })}
        </Button>
      ) : (
        <p className="auth-empty">{t('auth.sessions.noOthers')}</p>
      )}
    </>
  );
}

/** "Where you are signed in": every live session, the current one marked. */
export function SessionsPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <PageHeading>{t('auth.sessions.title')}</PageHeading>
      <p className="page--narrow">{t('auth.sessions.intro')}</p>
      <RequireSignIn allowUnenrolled>
        <SessionList />
      </RequireSignIn>
    </div>
  );
}
