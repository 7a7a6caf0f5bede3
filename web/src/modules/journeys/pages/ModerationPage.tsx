import { useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { Button, Form, Loading, PageHeading, useToast } from '../../../ui';
import { vocabularyKey as caseVocabularyKey } from '../../cases/vocabulary';
import { vocabularyKey } from '../../directory/vocabulary';
import { TextAreaField } from '../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { useFormat } from '../../identity/organisations/format';
import { useFormMutation } from '../../identity/organisations/queries';
import {
  decideRoute,
  journeyKeys,
  useModerationQueue,
  type ModerationItem,
  type ModerationStatus,
} from '../api';
import { periodText, placeText } from '../describe';
import { journeyVocabularyKey, type Decision } from '../vocabulary';
import '../journeys.css';

const QUEUES: readonly ModerationStatus[] = ['pending', 'queried'];

/**
 * The moderators' queue of contributed routes. Only here is the contributing organisation shown — so a
 * moderator can ask it about a route — and nowhere else in Cairn.
 */
export function ModerationPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status: ModerationStatus = params.get('status') === 'queried' ? 'queried' : 'pending';
  const queue = useModerationQueue(status);
  return (
    <div className="journeys">
      <PageHeading>{t('journeys.moderation.title')}</PageHeading>
      <p className="journeys__lead">{t('journeys.moderation.lead')}</p>
      <nav aria-label={t('journeys.moderation.queues')} className="journeys__tabs">
        <ul>
          {QUEUES.map((queueStatus) => (
            <li key={queueStatus}>
              <Button
                variant={queueStatus === status ? 'primary' : 'secondary'}
                aria-pressed={queueStatus === status}
                onClick={() => setParams(queueStatus === 'pending' ? {} : { status: queueStatus })}
              >
                {t(`journeys.moderation.queue.${queueStatus}`)}
              </Button>
            </li>
          ))}
        </ul>
      </nav>
      {queue.isPending ? (
        <Loading />
      ) : queue.isError ? (
        <LoadError error={queue.error} onRetry={() => void queue.refetch()} />
      ) : queue.data.items.length === 0 ? (
        <EmptyState>{t('journeys.moderation.empty')}</EmptyState>
      ) : (
        <ol className="journeys-queue">
          {queue.data.items.map((item) => (
            <li key={item.id}>
              <QueueItem item={item} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function QueueItem({ item }: { item: ModerationItem }) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ids = useId();
  // The button pressed: its click runs before the form's submit event, which reads it.
  const decision = useRef<Decision>('validate');
  const number = useMemo(() => new Intl.NumberFormat([format.language]), [format.language]);
  const mutation = useFormMutation(
    (input: { decision: Decision; note?: string }) =>
      decideRoute(item.id, { ...input, version: item.version }),
    {
      fields: ['note'],
      onSuccess: async (_result, input) => {
        toast.show(t(`journeys.moderation.done.${input.decision}`), { tone: 'success' });
        await queryClient.invalidateQueries({ queryKey: journeyKeys.all });
      },
    },
  );
  const list = (codes: readonly string[], key: (code: string) => string) =>
    codes.map((c) => t(key(c))).join(', ');
  const stop = (s: ModerationItem['transits'][number]) =>
    [
      placeText(s, format.language),
      s.transport ? t(journeyVocabularyKey('transport', s.transport)) : null,
      s.borderCrossing ? t('journeys.moderation.border') : null,
    ]
      .filter(Boolean)
      .join(' · ');

  return (
    <article className="journeys-queue__item" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="journeys__subheading">
        {t('journeys.moderation.itemTitle', {
          origin: placeText(item.origin, format.language),
          date: format.date(item.createdAt),
        })}
      </h2>
      <dl className="journeys-queue__facts">
        <dt>{t('journeys.moderation.organisation')}</dt>
        <dd>
          {item.organisation.name}
          {item.contributor ? ` — ${item.contributor.name}` : ''}
        </dd>
        <dt>{t('journeys.form.origin')}</dt>
        <dd>{placeText(item.origin, format.language)}</dd>
        {item.destination && (
          <>
            <dt>{t('journeys.form.destination')}</dt>
            <dd>{placeText(item.destination, format.language)}</dd>
          </>
        )}
        {item.transits.length > 0 && (
          <>
            <dt>{t('journeys.form.transits')}</dt>
            <dd>
              <ol>
                {item.transits.map((s, i) => (
                  <li key={i}>{stop(s)}</li>
                ))}
              </ol>
            </dd>
          </>
        )}
        <dt>{t('journeys.form.exploitation')}</dt>
        <dd>
          <ol>
            {item.exploitation.map((s, i) => (
              <li key={i}>{stop(s)}</li>
            ))}
          </ol>
        </dd>
        <dt>{t('journeys.form.exploitationTypes')}</dt>
        <dd>{list(item.exploitationTypes, (c) => vocabularyKey('exploitationTypes', c))}</dd>
        {item.industry && (
          <>
            <dt>{t('journeys.form.industry')}</dt>
            <dd>{t(vocabularyKey('industries', item.industry))}</dd>
          </>
        )}
        {item.recruitmentMethod && (
          <>
            <dt>{t('journeys.form.recruitmentMethod')}</dt>
            <dd>{t(caseVocabularyKey('recruitmentMethods', item.recruitmentMethod))}</dd>
          </>
        )}
        <dt>{t('journeys.contributions.periodHeader')}</dt>
        <dd>{periodText(item, t)}</dd>
        <dt>{t('journeys.form.people')}</dt>
        <dd>{number.format(item.people)}</dd>
        <dt>{t('journeys.moderation.bands')}</dt>
        <dd>
          {[
            t(journeyVocabularyKey('genderBands', item.genderBand)),
            t(journeyVocabularyKey('ageBands', item.ageBand)),
            t(journeyVocabularyKey('nationalityBands', item.nationalityBand)),
          ].join(' · ')}
        </dd>
        {item.moderatorNote && (
          <>
            <dt>{t('journeys.moderation.previousNote')}</dt>
            <dd>{item.moderatorNote}</dd>
          </>
        )}
      </dl>
      <Form
        errors={mutation.errors.fieldErrors}
        formError={mutation.errors.formError}
        onSubmit={(data) => {
          const value = data.get('note');
          const note = typeof value === 'string' ? value.trim() : '';
          if (decision.current !== 'validate' && note === '') {
            mutation.setErrors({
              fieldErrors: { note: t('journeys.moderation.noteRequired') },
              formError: undefined,
            });
            return;
          }
          mutation.mutate({ decision: decision.current, ...(note ? { note } : {}) });
        }}
      >
        <TextAreaField
          name="note"
          label={t('journeys.moderation.note')}
          hint={t('journeys.moderation.noteHint')}
        />
        <div className="journeys__actions">
          <Button
            type="submit"
            busy={mutation.isPending && mutation.variables?.decision === 'validate'}
            onClick={() => (decision.current = 'validate')}
          >
            {t('journeys.moderation.validate')}
          </Button>
          <Button
            type="submit"
            variant="secondary"
            busy={mutation.isPending && mutation.variables?.decision === 'query'}
            onClick={() => (decision.current = 'query')}
          >
            {t('journeys.moderation.query')}
          </Button>
          <Button
            type="submit"
            variant="danger"
            busy={mutation.isPending && mutation.variables?.decision === 'reject'}
            onClick={() => (decision.current = 'reject')}
          >
            {t('journeys.moderation.reject')}
          </Button>
        </div>
      </Form>
    </article>
  );
}
