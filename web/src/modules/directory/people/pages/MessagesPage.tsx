import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../../api/client';
import { Button, Loading, PageHeading, VisuallyHidden, useToast } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { EmptyState, LoadError } from '../../../identity/organisations/components/notices';
import { messageOf } from '../../../identity/organisations/errors';
import { useFormat } from '../../../identity/organisations/format';
import { required } from '../../../identity/organisations/queries';
import { peopleKeys, useMessages, type ContactMessage, type MessageBox } from '../api';
import { messageBoxFrom, peoplePaths } from '../people';
import { MessageForm } from './PersonPage';
import { PeopleTabs } from './PeopleTabs';
import '../../../identity/organisations/organisations.css';
import '../../profile/profile.css';
import '../people.css';

/** "Messages": what other members wrote to me through Cairn (unread marked), and what I sent. */
export function MessagesPage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('people.messages.title')}</PageHeading>
      <RequireSignIn>
        <PeopleTabs />
        <Messages />
      </RequireSignIn>
    </div>
  );
}

function Messages() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const box = messageBoxFrom(params);
  const messages = useMessages(box);
  const items = messages.data?.pages.flatMap((page) => page.items) ?? [];
  // Every page carries the inbox's unread count; the newest page knows best.
  const unread = messages.data?.pages.at(-1)?.unread ?? 0;

  return (
    <>
      <p className="orgs-lead">{t('people.messages.intro')}</p>
      <nav className="orgs-tabs people-boxes" aria-label={t('people.messages.boxesLabel')}>
        <ul>
          {(['inbox', 'sent'] as const).map((tab) => (
            <li key={tab}>
              <Link
                to={tab === 'sent' ? peoplePaths.sent : peoplePaths.messages}
                aria-current={tab === box ? 'page' : undefined}
                replace
              >
                {t(`people.messages.boxes.${tab}`)}
                {tab === 'inbox' && unread > 0 && (
                  <span className="orgs-badge orgs-badge--info people-unread-count">
                    {t('people.messages.unreadCount', { count: unread })}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="messages-list">
        <h2 id="messages-list">{t(`people.messages.boxes.${box}`)}</h2>
        {messages.isPending ? (
          <Loading />
        ) : messages.isError ? (
          <LoadError error={messages.error} onRetry={() => void messages.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState>
            <p>{t(box === 'inbox' ? 'people.messages.emptyInbox' : 'people.messages.emptySent')}</p>
            <p>
              <Link to={peoplePaths.search}>{t('people.messages.findPeople')}</Link>
            </p>
          </EmptyState>
        ) : (
          <>
            <ol className="people-messages">
              {items.map((message) => (
                <li key={message.id}>
                  <MessageItem message={message} box={box} />
                </li>
              ))}
            </ol>
            {messages.hasNextPage && (
              <Button
                variant="secondary"
                busy={messages.isFetchingNextPage}
                onClick={() => void messages.fetchNextPage()}
              >
                {t('people.messages.more')}
              </Button>
            )}
          </>
        )}
      </section>
    </>
  );
}

function MessageItem({ message, box }: { message: ContactMessage; box: MessageBox }) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [replying, setReplying] = useState(false);
  const unread = message.direction === 'received' && message.readAt === null;
  const { counterpart } = message;
  const titleId = `message-title-${message.id}`;

  const markRead = useMutation({
    mutationFn: () =>
      required(
        api.POST('/api/directory/messages/{messageId}/read', { params: { path: { messageId: message.id } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: peopleKeys.messages }),
    onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
  });

  const who = counterpart.organisation
    ? t('people.messages.personAt', { name: counterpart.name, organisation: counterpart.organisation.name })
    : counterpart.name;

  return (
    <article className={`people-message${unread ? ' people-message--unread' : ''}`} aria-labelledby={titleId}>
      <header className="people-message__header">
        <h3 id={titleId} className="people-message__title">
          {unread && (
            <span className="orgs-badge orgs-badge--info people-message__new">
              {t('people.messages.new')}
            </span>
          )}
          <VisuallyHidden>{`${t(box === 'inbox' ? 'people.messages.from' : 'people.messages.to')} `}</VisuallyHidden>
          {who}
        </h3>
        <p className="people-meta">
          <time dateTime={message.createdAt}>{format.dateTime(message.createdAt)}</time>
          {box === 'sent' && (
            <>
              {' · '}
              {message.readAt
                ? t('people.messages.readOn', { date: format.dateTime(message.readAt) })
                : t('people.messages.notRead')}
            </>
          )}
        </p>
      </header>
      <p className="people-message__body orgs-pre-line">{message.body}</p>
      <div className="actions">
        {message.abilities.markRead && (
          <Button variant="secondary" busy={markRead.isPending} onClick={() => markRead.mutate()}>
            {t('people.messages.markRead')}
            <VisuallyHidden>{` ${t('people.messages.fromPerson', { name: counterpart.name })}`}</VisuallyHidden>
          </Button>
        )}
        {message.abilities.reply && (
          <Button variant="secondary" onClick={() => setReplying((open) => !open)} aria-expanded={replying}>
            {t('people.messages.reply')}
            <VisuallyHidden>{` ${t('people.messages.toPerson', { name: counterpart.name })}`}</VisuallyHidden>
          </Button>
        )}
        {box === 'sent' && (
          <Link to={peoplePaths.person(counterpart.personId)}>
            {t('people.messages.profileOf', { name: counterpart.name })}
          </Link>
        )}
      </div>
      {replying && (
        <MessageForm
          person={counterpart}
          heading="h4"
          onSent={() => {
            setReplying(false);
            // Answering a message means it was read.
            if (unread) markRead.mutate();
          }}
        />
      )}
    </article>
  );
}
