import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ApiError, isProblemDetails } from '../../api/problem';
import { Button, Form, Loading, saveFile } from '../../ui';
import { i18n } from '../../i18n/i18n';
import { FALLBACK_LANGUAGE } from '../../i18n/languages';
import { useMe } from '../identity/auth/useMe';
import { StepUpCancelledError, useStepUp } from '../identity/auth/useStepUp';
import { TextAreaField } from '../identity/organisations/components/fields';
import { LoadError } from '../identity/organisations/components/notices';
import { messageOf } from '../identity/organisations/errors';
import { useFormat } from '../identity/organisations/format';
import { required } from '../identity/organisations/queries';
import { CheckboxGroup } from '../directory/profile/editor/CheckboxGroup';
import {
  checkBeforeUpload,
  fileNameFromDisposition,
  fileNameHeaderOf,
  ACCEPT_ATTRIBUTE,
} from '../cases/attachments';
import { useCaseMutation } from '../cases/mutation';
import {
  markThreadRead,
  newIdempotencyKey,
  openThread,
  postMessage,
  threadKeys,
  useThread,
  useThreadParticipants,
  type Message,
  type Thread,
  type ThreadSubjectKind,
} from './api';
import { useLiveThreads, type LiveStatus } from './live';
import { mentionableOf, type Mentionable } from './mentions';

/** A file turned down before sending (empty, too large, a type Cairn does not take). */
class FileRefusal extends Error {}

/** Sends a file as a message of its own (the raw file as the body, its name percent-encoded in a header). */
async function postAttachment(threadId: string, file: File, mediaType: string): Promise<Message> {
  const response = await fetch(`/api/threads/${encodeURIComponent(threadId)}/attachments`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': mediaType,
      'X-File-Name': fileNameHeaderOf(file.name),
      'Accept-Language': i18n.resolvedLanguage ?? FALLBACK_LANGUAGE,
    },
    body: file,
  });
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (response.status !== 201) throw new ApiError(response.status, isProblemDetails(body) ? body : undefined);
  return body as Message;
}

/** Downloads a message's file (the server wants a recent step-up) and hands it to the browser to save. */
async function downloadAttachment(threadId: string, message: Message): Promise<void> {
  const { data, error, response } = await api.GET('/api/threads/{threadId}/messages/{messageId}/attachment', {
    params: { path: { threadId, messageId: message.id } },
    parseAs: 'blob',
  });
  if (!response.ok || !(data instanceof Blob))
    throw new ApiError(response.status, isProblemDetails(error) ? error : undefined);
  saveFile(
    data,
    fileNameFromDisposition(response.headers.get('content-disposition')) ??
      message.attachment?.name ??
      'file',
  );
}

/**
 * The messages about a referral, a transfer or a support request, embedded in its page. The thread is made
 * when the first message is written, so opening a page never writes anything.
 */
export function SubjectThread({
  subjectKind,
  subjectId,
  withOrganisationId,
  open,
}: {
  subjectKind: ThreadSubjectKind;
  subjectId: string;
  withOrganisationId?: string;
  /** Whether the subject still takes messages (the server decides; this only hides the form early). */
  open: boolean;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  // Listening before the thread exists, so the other side's first message opens it here by itself.
  const status = useLiveThreads(true);
  const threads = useQuery({
    queryKey: threadKeys.ofSubject(subjectKind, subjectId),
    queryFn: ({ signal }) =>
      required(api.GET('/api/threads', { params: { query: { subjectKind, subjectId } }, signal })),
  });
  const thread = threads.data?.items.find(
    (item) =>
      !withOrganisationId || item.parties.some((party) => party.organisationId === withOrganisationId),
  );
  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('referrals.thread.heading')}</h2>
      {threads.isPending ? (
        <Loading />
      ) : threads.isError ? (
        <LoadError error={threads.error} onRetry={() => void threads.refetch()} />
      ) : thread ? (
        <ThreadView threadId={thread.id} />
      ) : (
        <>
          <LiveLine status={status} />
          <p className="muted">{t('referrals.thread.empty')}</p>
          {open && (
            <Composer
              start={async () => {
                const opened = await openThread(subjectKind, subjectId, withOrganisationId);
                return opened.id;
              }}
              onPosted={() => void threads.refetch()}
              mentionable={[]}
            />
          )}
        </>
      )}
    </section>
  );
}

/** The quiet line saying whether new messages arrive by themselves right now. */
function LiveLine({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  return (
    <p className="referrals-live muted" role="status">
      {status === 'reconnecting'
        ? t('referrals.thread.reconnecting')
        : status === 'open'
          ? t('referrals.thread.live')
          : ''}
    </p>
  );
}

/** One thread: its messages (live), read receipts, and the form to write. */
export function ThreadView({
  threadId,
  showSubjectLink = false,
}: {
  threadId: string;
  showSubjectLink?: boolean;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const status = useLiveThreads(true);
  const thread = useThread(threadId);
  const participants = useThreadParticipants(threadId);
  const me = useMe();
  const data = thread.data;
  const unread = data?.unread ?? 0;

  // Reading the page marks the thread read (read receipts for the other side), only while the tab is seen.
  useEffect(() => {
    if (unread === 0 || document.visibilityState !== 'visible') return;
    markThreadRead(threadId)
      .then(() => queryClient.invalidateQueries({ queryKey: threadKeys.unread }))
      .catch(() => undefined);
  }, [threadId, unread, data?.messages.length, queryClient]);

  if (thread.isPending) return <Loading />;
  if (thread.isError || !data)
    return <LoadError error={thread.error} onRetry={() => void thread.refetch()} />;
  const mentionable = mentionableOf(data, participants.data?.people, me.data?.person.id);
  return (
    <>
      {showSubjectLink && (
        <p>
          <Link to={data.subjectPath}>{t(`referrals.thread.subject.${data.subjectKind}`)}</Link>
          {' — '}
          {data.parties.map((party) => party.name).join(', ')}
        </p>
      )}
      <LiveLine status={status} />
      <MessageList thread={data} />
      {data.abilities.post ? (
        <Composer
          start={() => Promise.resolve(threadId)}
          onPosted={() => void queryClient.invalidateQueries({ queryKey: threadKeys.one(threadId) })}
          mentionable={mentionable}
        />
      ) : (
        <p className="muted">{t('referrals.thread.closed')}</p>
      )}
    </>
  );
}

function MessageList({ thread }: { thread: Thread }) {
  const { t } = useTranslation();
  const format = useFormat();
  const stepUp = useStepUp();
  const [error, setError] = useState<string | undefined>();
  const parties = new Map(thread.parties.map((party) => [party.organisationId, party.name]));
  const count = thread.messages.length;
  const lastOther = [...thread.messages].reverse().find((message) => !message.mine);
  const seenCount = useRef(count);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    // Announce messages that arrive while the reader is here (not the ones already on the page).
    if (count > seenCount.current && lastOther)
      setAnnouncement(t('referrals.thread.arrived', { name: lastOther.author.name ?? '' }));
    seenCount.current = count;
  }, [count, lastOther, t]);

  const download = async (message: Message) => {
    setError(undefined);
    try {
      await stepUp.guard(() => downloadAttachment(thread.id, message));
    } catch (failure) {
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    }
  };

  return (
    <>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {count === 0 ? (
        <p className="muted">{t('referrals.thread.empty')}</p>
      ) : (
        <ol className="referrals-messages" aria-label={t('referrals.thread.messages')}>
          {thread.messages.map((message) => (
            <li
              key={message.id}
              className={message.mine ? 'referrals-message referrals-message--mine' : 'referrals-message'}
            >
              <p className="referrals-message__meta muted">
                {t('referrals.thread.by', {
                  name: message.author.name ?? t('referrals.thread.someone'),
                  organisation: parties.get(message.author.organisationId) ?? '',
                })}{' '}
                · <time dateTime={message.createdAt}>{format.dateTime(message.createdAt)}</time>
              </p>
              {message.text !== '' && <p className="referrals-message__text">{message.text}</p>}
              {message.mentions.length > 0 && (
                <p className="muted">
                  {t('referrals.thread.mentions', {
                    names: message.mentions.map((person) => person.name).join(', '),
                  })}
                </p>
              )}
              {message.attachment && (
                <p>
                  <Button
                    variant="secondary"
                    onClick={() => void download(message)}
                    disabled={!thread.abilities.download}
                  >
                    {t('referrals.thread.download', { name: message.attachment.name })}
                  </Button>
                </p>
              )}
              {message.mine && message.readBy.length > 0 && (
                <p className="muted">
                  {t('referrals.thread.readBy', {
                    names: message.readBy.map((person) => person.name).join(', '),
                  })}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {stepUp.dialog}
    </>
  );
}

/** The form to write a message, with an optional file and mentions. */
function Composer({
  start,
  onPosted,
  mentionable,
}: {
  /** The thread to write in (made on first use when there is none yet). */
  start: () => Promise<string>;
  onPosted: () => void;
  mentionable: Mentionable[];
}) {
  const { t } = useTranslation();
  const formId = useId();
  const [text, setText] = useState('');
  const [mentions, setMentions] = useState<string[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const [key, setKey] = useState(newIdempotencyKey);
  const send = useCaseMutation(
    async (input: { text: string; mentions: string[]; file: File | null }) => {
      const threadId = await start();
      if (input.text !== '') await postMessage(threadId, input.text, input.mentions, key);
      if (input.file) {
        const checked = checkBeforeUpload(input.file);
        if (!checked.ok) throw new FileRefusal(t(`referrals.thread.fileRefused.${checked.reason}`));
        await postAttachment(threadId, input.file, checked.mediaType);
      }
    },
    {
      fields: ['text'],
      onSuccess: () => {
        setText('');
        setMentions([]);
        setFile(null);
        setFileKey((value) => value + 1);
        setKey(newIdempotencyKey());
        onPosted();
      },
    },
  );
  const submit = () => {
    const trimmed = text.trim();
    if (trimmed === '' && !file) {
      send.setErrors({ fieldErrors: { text: t('referrals.thread.emptyMessage') } });
      return;
    }
    send.mutate(
      { text: trimmed, mentions, file },
      {
        onError: (error) => {
          if (error instanceof FileRefusal) send.setErrors({ fieldErrors: {}, formError: error.message });
        },
      },
    );
  };
  return (
    <Form
      errors={send.errors.fieldErrors}
      formError={send.errors.formError}
      onSubmit={submit}
      aria-label={t('referrals.thread.write')}
    >
      <TextAreaField
        name="text"
        label={t('referrals.thread.message')}
        value={text}
        maxLength={10_000}
        onChange={(event) => setText(event.target.value)}
      />
      {mentionable.length > 0 && (
        <CheckboxGroup
          name="mentions"
          legend={t('referrals.thread.mention')}
          options={mentionable}
          value={mentions}
          onChange={setMentions}
        />
      )}
      <div className="field">
        <label className="field__label" htmlFor={`${formId}-file`}>
          {t('referrals.thread.attach')}
        </label>
        <input
          key={fileKey}
          id={`${formId}-file`}
          type="file"
          accept={ACCEPT_ATTRIBUTE}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
      </div>
      <div className="actions">
        <Button type="submit" busy={send.isPending}>
          {t('referrals.thread.send')}
        </Button>
      </div>
    </Form>
  );
}
