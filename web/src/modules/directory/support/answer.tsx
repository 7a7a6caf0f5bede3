import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, useToast } from '../../../ui';
import { ActionDialog } from '../../identity/organisations/components/ActionDialog';
import { SelectField, TextAreaField } from '../../identity/organisations/components/fields';
import { textOf } from '../../identity/organisations/form-data';
import { useFormMutation } from '../../identity/organisations/queries';
import { DECLINE_REASONS } from '../vocabulary';
import {
  acceptSupportRequest,
  closeSupportRequest,
  declineSupportRequest,
  supportKeys,
  type DeclineReason,
  type SupportRequest,
} from './api';

const isReason = (value: string): value is DeclineReason =>
  (DECLINE_REASONS as readonly string[]).includes(value);

/** The most a decline note may say (the server's limit). */
const NOTE_MAX = 500;

/**
 * Accept or decline a request for my organisation. Both ask first: accepting closes the request for every
 * other organisation, and a decline needs its reason. A 409 means someone else was quicker.
 */
export function AnswerActions({ request }: { request: SupportRequest }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'accept' | 'decline' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: supportKeys.all });
  const tooLate = t('support.answer.tooLate');

  const accept = useFormMutation(() => acceptSupportRequest(request.id), {
    byCode: { conflict: tooLate },
    onSuccess: async () => {
      setDialog(null);
      toast.show(t('support.answer.accepted', { name: request.requester.name }), { tone: 'success' });
      await refresh();
    },
  });
  const decline = useFormMutation(
    (body: { reason: DeclineReason; note?: string }) => declineSupportRequest(request.id, body),
    {
      fields: ['reason', 'note'],
      byCode: { conflict: tooLate },
      onSuccess: async () => {
        setDialog(null);
        toast.show(t('support.answer.declined'), { tone: 'success' });
        await refresh();
      },
    },
  );

  if (!request.abilities.accept && !request.abilities.decline) return null;
  const close = () => {
    setDialog(null);
    accept.clear();
    decline.clear();
    // A 409 means the request changed under us: show how it stands now.
    void refresh();
  };

  return (
    <>
      <div className="actions">
        {request.abilities.accept && (
          <Button onClick={() => setDialog('accept')}>
            {t('support.answer.accept')}
            <span className="visually-hidden">{` ${t('support.answer.from', { name: request.requester.name })}`}</span>
          </Button>
        )}
        {request.abilities.decline && (
          <Button variant="secondary" onClick={() => setDialog('decline')}>
            {t('support.answer.decline')}
            <span className="visually-hidden">{` ${t('support.answer.from', { name: request.requester.name })}`}</span>
          </Button>
        )}
      </div>
      <ActionDialog
        open={dialog === 'accept'}
        onClose={close}
        title={t('support.answer.acceptTitle')}
        confirmLabel={t('support.answer.acceptConfirm')}
        busy={accept.isPending}
        errors={accept.errors}
        onConfirm={() => accept.mutate(undefined)}
      >
        <p>{t('support.answer.acceptExplain', { name: request.requester.name })}</p>
      </ActionDialog>
      <ActionDialog
        open={dialog === 'decline'}
        onClose={close}
        title={t('support.answer.declineTitle')}
        confirmLabel={t('support.answer.declineConfirm')}
        busy={decline.isPending}
        errors={decline.errors}
        onConfirm={(data) => {
          const reason = textOf(data, 'reason');
          const note = textOf(data, 'note');
          if (!isReason(reason))
            decline.setErrors({ fieldErrors: { reason: t('support.answer.reasonRequired') } });
          else decline.mutate(note ? { reason, note } : { reason });
        }}
      >
        <SelectField
          name="reason"
          label={t('support.answer.reason')}
          required
          placeholder={t('support.find.choose')}
          options={DECLINE_REASONS.map((value) => ({
            value,
            label: t(`directory.vocabulary.declineReasons.${value}`),
          }))}
        />
        <TextAreaField
          name="note"
          label={t('support.answer.note')}
          hint={t('support.answer.noteHint', { max: NOTE_MAX })}
          maxLength={NOTE_MAX}
        />
      </ActionDialog>
    </>
  );
}

/** Close a request my organisation sent (found help elsewhere, or no longer needed). */
export function CloseAction({ request }: { request: SupportRequest }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const close = useFormMutation(() => closeSupportRequest(request.id), {
    byCode: { conflict: t('support.request.closeConflict') },
    onSuccess: async () => {
      setOpen(false);
      toast.show(t('support.request.closed'), { tone: 'success' });
      await queryClient.invalidateQueries({ queryKey: supportKeys.all });
    },
  });
  if (!request.abilities.close) return null;
  return (
    <>
      <div className="actions">
        <Button variant="secondary" onClick={() => setOpen(true)}>
          {t('support.request.close')}
        </Button>
      </div>
      <ActionDialog
        open={open}
        onClose={() => {
          setOpen(false);
          close.clear();
        }}
        title={t('support.request.closeTitle')}
        confirmLabel={t('support.request.closeConfirm')}
        variant="danger"
        busy={close.isPending}
        errors={close.errors}
        onConfirm={() => close.mutate(undefined)}
      >
        <p>{t('support.request.closeExplain')}</p>
      </ActionDialog>
    </>
  );
}
