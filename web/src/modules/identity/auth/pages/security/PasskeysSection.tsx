import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Dialog,
  Loading,
  Table,
  useToast,
  VisuallyHidden,
  type TableColumn,
} from '../../../../../ui';
import { AddPasskeyForm } from '../../AddPasskeyForm';
import { authQueryKeys, listPasskeys, removePasskey, type Passkey } from '../../authApi';
import { formatDateTime } from '../../format';
import { actionErrorsOf, hasProblemCode } from '../../formErrors';
import { QueryProblem } from '../../QueryProblem';
import { meQueryKey } from '../../useMe';
import { StepUpCancelledError, type StepUp } from '../../useStepUp';

/** The person's passkeys: a list with each one's name and use, removal (after a step-up), and adding one. */
export function PasskeysSection({ stepUp }: { stepUp: StepUp }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  const queryClient = useQueryClient();
  const toast = useToast();
  const [toRemove, setToRemove] = useState<Passkey | null>(null);
  const passkeys = useQuery({
    queryKey: authQueryKeys.passkeys,
    queryFn: ({ signal }) => listPasskeys(signal),
  });

  const remove = useMutation({
    mutationFn: (passkey: Passkey) => stepUp.guard(() => removePasskey(passkey.id)),
    onSuccess: (_, passkey) => {
      toast.show(t('auth.passkey.removed', { name: passkey.name }), { tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: authQueryKeys.passkeys });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
    onError: (error) => {
      if (error instanceof StepUpCancelledError) return;
      // The API answers conflict when this is the last factor the person's role needs.
      const message = hasProblemCode(error, 'conflict')
        ? t('auth.passkey.removeLast')
        : actionErrorsOf(error, [], t).formError;
      toast.show(message ?? t('auth.errors.network'), { tone: 'error' });
    },
  });

  const columns: TableColumn<Passkey>[] = [
    { key: 'name', header: t('auth.passkey.name'), cell: (row) => row.name, isRowHeader: true },
    {
      key: 'added',
      header: t('auth.passkey.addedOn'),
      cell: (row) => formatDateTime(row.createdAt, language),
    },
    {
      key: 'used',
      header: t('auth.passkey.lastUsed'),
      cell: (row) =>
        row.lastUsedAt ? formatDateTime(row.lastUsedAt, language) : t('auth.passkey.neverUsed'),
    },
    {
      key: 'synced',
      header: t('auth.passkey.kind'),
      cell: (row) => (row.backedUp ? t('auth.passkey.synced') : t('auth.passkey.deviceBound')),
    },
    {
      key: 'actions',
      header: t('auth.passkey.actions'),
      cell: (row) => (
        <Button
          variant="secondary"
          className="auth-row-action"
          busy={remove.isPending && remove.variables?.id === row.id}
          onClick={() => setToRemove(row)}
        >
          {t('auth.passkey.remove')}
          <VisuallyHidden>{` ${row.name}`}</VisuallyHidden>
        </Button>
      ),
    },
  ];

  return (
    <section className="auth-section" aria-labelledby="security-passkeys">
      <h2 id="security-passkeys">{t('auth.passkey.heading')}</h2>
      <p>{t('auth.passkey.intro')}</p>
      {passkeys.isPending && <Loading />}
      {passkeys.isError && (
        <QueryProblem
          error={passkeys.error}
          busy={passkeys.isFetching}
          onRetry={() => void passkeys.refetch()}
        />
      )}
      {passkeys.data?.length === 0 && <p className="auth-empty">{t('auth.passkey.none')}</p>}
      {passkeys.data && passkeys.data.length > 0 && (
        <Table
          caption={t('auth.passkey.caption')}
          columns={columns}
          rows={passkeys.data}
          rowKey={(row) => row.id}
        />
      )}

      <h3>{t('auth.passkey.addHeading')}</h3>
      <AddPasskeyForm
        onAdded={(passkey) =>
          toast.show(t('auth.passkey.addedToast', { name: passkey.name }), { tone: 'success' })
        }
      />

      <Dialog
        open={toRemove !== null}
        onClose={() => setToRemove(null)}
        title={t('auth.passkey.removeTitle', { name: toRemove?.name ?? '' })}
        footer={
          <>
            <Button
              variant="danger"
              onClick={() => {
                const passkey = toRemove;
                setToRemove(null);
                if (passkey) remove.mutate(passkey);
              }}
            >
              {t('auth.passkey.removeConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setToRemove(null)}>
              {t('auth.common.cancel')}
            </Button>
          </>
        }
      >
        <p>{t('auth.passkey.removeBody')}</p>
      </Dialog>
    </section>
  );
}
