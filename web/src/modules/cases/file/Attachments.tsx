import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ChangeEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { shouldRetry } from '../../../app/queryClient';
import {
  Button,
  Form,
  Loading,
  Table,
  VisuallyHidden,
  saveFile,
  useToast,
  type TableColumn,
} from '../../../ui';
import { StepUpCancelledError } from '../../identity/auth/useStepUp';
import { FieldText, fieldClass, useFieldFrame } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { formStateOf, messageOf, noFormErrors, type FormState } from '../../identity/organisations/errors';
import { caseKeys } from '../api';
import {
  ACCEPT_ATTRIBUTE,
  MAX_ATTACHMENT_MB,
  checkBeforeUpload,
  fallbackFileNameOf,
  formatLabelOf,
  formatSize,
  withAdded,
  withoutNames,
  type Attachment,
  type AttachmentList,
  type QuickRefusal,
  type UploadMediaType,
} from '../attachments';
import { attachmentKeys, downloadAttachment, fetchAttachments, uploadAttachment } from '../attachments-api';
import '../attachments.css';
import { useCaseFormat } from '../format';
import { isNotFound, useCaseFileState } from './useCaseFile';

/**
 * A case's attachments: documents, photos and recordings. Everyone who reads the case sees the list (kind,
 * format, size, when and by whom); file names and contents are identifying, so they come only after a
 * recent passkey check, and every download is audited on the server. Uploading needs the right to add
 * entries to the case.
 *
 * SECURITY: the list with names is held in this section's state only — never in the query cache or browser
 * storage — and goes away when the names are hidden, when the page's identifying details are hidden, or
 * when the page closes. The cache holds the list without names.
 */
export function AttachmentsSection() {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const queryClient = useQueryClient();
  const state = useCaseFileState();
  const { caseId, file, stepUp } = state;
  const headingId = 'cases-attachments';
  const list = useQuery({
    queryKey: attachmentKeys.list(caseId),
    queryFn: ({ signal }) => fetchAttachments(caseId, false, signal),
    retry: (count, error) => !isNotFound(error) && shouldRetry(count, error),
  });
  const [named, setNamed] = useState<AttachmentList | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [revealing, setRevealing] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);

  // The page's "Hide identifying details" (or Cairn hiding them when the passkey check lapses) hides the
  // names too.
  const [pageRevealed, setPageRevealed] = useState(state.revealed);
  if (pageRevealed !== state.revealed) {
    setPageRevealed(state.revealed);
    if (!state.revealed) setNamed(null);
  }
  // "Show identifying details" has just passed a passkey check: the names are shown with the rest.
  useEffect(() => {
    if (!state.revealed) return;
    let current = true;
    fetchAttachments(caseId, true).then(
      (revealed) => {
        if (!current) return;
        setNamed(revealed);
        queryClient.setQueryData(attachmentKeys.list(caseId), withoutNames(revealed));
      },
      // The names stay hidden; "Show file names" is still there to try again.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [state.revealed, caseId, queryClient]);

  const showNames = async () => {
    setRevealing(true);
    setError(undefined);
    try {
      const revealed = await stepUp.guard(() => fetchAttachments(caseId, true));
      setNamed(revealed);
      queryClient.setQueryData(attachmentKeys.list(caseId), withoutNames(revealed));
      setStatus(t('cases.attachments.namesShown'));
    } catch (failure) {
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    } finally {
      setRevealing(false);
    }
  };

  const hideNames = () => {
    setNamed(null);
    setStatus(t('cases.attachments.namesHidden'));
  };

  const onUploaded = (added: Attachment) => {
    const cached = queryClient.getQueryData<AttachmentList>(attachmentKeys.list(caseId));
    if (cached)
      queryClient.setQueryData(attachmentKeys.list(caseId), withAdded(cached, { ...added, name: null }));
    else void queryClient.invalidateQueries({ queryKey: attachmentKeys.list(caseId) });
    if (named) {
      // The server names the new file only while the passkey check holds; once it lapses, names are hidden.
      if (added.name !== null) setNamed(withAdded(named, added));
      else {
        setNamed(null);
        setStatus(t('cases.attachments.namesExpired'));
      }
    }
    // The case's "last change" moved: lists and the dashboard read it afresh when next shown.
    void queryClient.invalidateQueries({ queryKey: caseKeys.all, refetchType: 'none' });
  };

  const download = async (item: Attachment) => {
    setDownloading(item.id);
    setError(undefined);
    setStatus(t('cases.attachments.downloading'));
    try {
      const got = await stepUp.guard(() => downloadAttachment(caseId, item.id));
      saveFile(got.blob, got.fileName ?? item.name ?? fallbackFileNameOf(item.mediaType));
      setStatus(t('cases.attachments.downloaded'));
    } catch (failure) {
      setStatus('');
      setError(
        failure instanceof StepUpCancelledError ? t('cases.file.stepUpCancelled') : messageOf(failure, t),
      );
    } finally {
      setDownloading(null);
    }
  };

  const shown = named ?? list.data;
  const canDownload = shown?.abilities.download ?? false;
  const kindOf = (item: Attachment) => t(`cases.attachments.kinds.${item.kind}`);
  const describe = (item: Attachment) =>
    t('cases.attachments.which', {
      file: item.name ?? `${kindOf(item)} (${formatLabelOf(item.mediaType)})`,
      time: format.dateTime(item.createdAt),
    });

  const columns: TableColumn<Attachment>[] = [
    ...(named
      ? [
          {
            key: 'name',
            header: t('cases.attachments.columns.name'),
            isRowHeader: true,
            cell: (item: Attachment) => (
              <span className="orgs-break">{item.name ?? t('cases.attachments.nameHidden')}</span>
            ),
          },
        ]
      : []),
    { key: 'kind', header: t('cases.attachments.columns.kind'), isRowHeader: !named, cell: kindOf },
    {
      key: 'type',
      header: t('cases.attachments.columns.type'),
      cell: (item) => formatLabelOf(item.mediaType),
    },
    {
      key: 'size',
      header: t('cases.attachments.columns.size'),
      align: 'end',
      cell: (item) => formatSize(item.sizeBytes, format.language),
    },
    {
      key: 'added',
      header: t('cases.attachments.columns.added'),
      cell: (item) => format.dateTime(item.createdAt),
    },
    {
      key: 'by',
      header: t('cases.attachments.columns.by'),
      cell: (item) => item.createdBy?.name ?? t('cases.attachments.unknownPerson'),
    },
    ...(canDownload
      ? [
          {
            key: 'download',
            header: <VisuallyHidden>{t('cases.attachments.columns.actions')}</VisuallyHidden>,
            cell: (item: Attachment) => (
              <Button variant="secondary" busy={downloading === item.id} onClick={() => void download(item)}>
                {t('cases.attachments.download')}
                <VisuallyHidden>{` ${describe(item)}`}</VisuallyHidden>
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <div className="cases-section__header">
        <h2 id={headingId} tabIndex={-1}>
          {t('cases.attachments.heading')}
        </h2>
      </div>
      <p className="muted">{t('cases.attachments.intro')}</p>
      {file.abilities.addEntries && <UploadForm onUploaded={onUploaded} announce={setStatus} />}
      {/* Always in the page, so that uploads, downloads and names appearing are announced. */}
      <p className="cases-status" aria-live="polite">
        {status}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {list.isPending && !named ? (
        <Loading />
      ) : list.isError && !named ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : !shown || shown.items.length === 0 ? (
        <p className="muted">{t('cases.attachments.none')}</p>
      ) : (
        <>
          {file.abilities.reveal && (
            <div className="actions">
              {/* One button whose words change, so focus stays where it was. */}
              <Button
                variant="secondary"
                busy={revealing}
                onClick={named ? hideNames : () => void showNames()}
              >
                {named ? t('cases.attachments.hideNames') : t('cases.attachments.showNames')}
              </Button>
            </div>
          )}
          <Table
            caption={t('cases.attachments.caption', { count: shown.items.length })}
            columns={columns}
            rows={shown.items}
            rowKey={(item) => item.id}
          />
        </>
      )}
    </section>
  );
}

/** The message of a quick refusal before sending. */
const quickKeys: Record<QuickRefusal, string> = {
  empty: 'cases.attachments.upload.empty',
  tooLarge: 'cases.attachments.upload.tooLarge',
  wrongType: 'cases.attachments.upload.wrongType',
};

/** The server's field paths for an upload all concern the one file input. */
const toFileField = (name: string) => (name === '' || name === 'headers.x-file-name' ? 'file' : name);

/**
 * Picks a file, checks its size and type at once (a quick message instead of a long wait on a slow
 * connection), then sends it with a progress bar. The server checks the content and has the last word; its
 * refusal is shown in the reader's language.
 */
function UploadForm({
  onUploaded,
  announce,
}: {
  onUploaded: (added: Attachment) => void;
  announce: (message: string) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const headingId = useId();
  const progressId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<{ file: File; mediaType: UploadMediaType } | null>(null);
  const [quickError, setQuickError] = useState<string | undefined>();
  const [errors, setErrors] = useState<FormState>(noFormErrors);
  const [sent, setSent] = useState<number | null>(null);
  const abortRef = useRef<(() => void) | null>(null);
  const busy = sent !== null;

  // Leaving the page stops an upload; a chosen file not yet sent counts as unsaved work (one the server
  // has refused does not: sending it again would not help).
  const refused = Object.keys(errors.fieldErrors).length > 0 || errors.formError !== undefined;
  const { markDirty } = state;
  useEffect(() => {
    markDirty('attachments', busy || (chosen !== null && !refused));
    return () => markDirty('attachments', false);
  }, [markDirty, busy, chosen, refused]);
  useEffect(() => () => abortRef.current?.(), []);

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const picked = event.target.files?.[0] ?? null;
    setErrors(noFormErrors);
    setQuickError(undefined);
    setChosen(null);
    if (!picked) return;
    const check = checkBeforeUpload(picked);
    if (check.ok) {
      setChosen({ file: picked, mediaType: check.mediaType });
      announce('');
    } else {
      const message = t(quickKeys[check.reason], { max: MAX_ATTACHMENT_MB });
      setQuickError(message);
      announce(message);
    }
  };

  const submit = async () => {
    if (busy) return;
    if (!chosen) {
      setErrors({ fieldErrors: { file: quickError ?? t('cases.attachments.upload.choose') } });
      return;
    }
    setErrors(noFormErrors);
    setSent(0);
    announce(t('cases.attachments.upload.uploading'));
    let checking = false;
    const run = uploadAttachment(state.caseId, chosen.file, chosen.mediaType, (fraction) => {
      setSent(fraction);
      if (fraction >= 1 && !checking) {
        checking = true;
        announce(t('cases.attachments.upload.checking'));
      }
    });
    abortRef.current = run.abort;
    try {
      const added = await run.promise;
      setChosen(null);
      if (inputRef.current) inputRef.current.value = '';
      onUploaded(added);
      announce('');
      toast.show(t('cases.attachments.upload.done'), { tone: 'success' });
    } catch (failure) {
      if (failure instanceof DOMException && failure.name === 'AbortError') {
        announce(t('cases.attachments.upload.cancelled'));
      } else {
        announce('');
        setErrors(formStateOf(failure, t, { fields: ['file'], rename: toFileField }));
      }
    } finally {
      abortRef.current = null;
      setSent(null);
    }
  };

  return (
    <Form
      className="cases-entry-form cases-attachments__form"
      errors={errors.fieldErrors}
      formError={errors.formError}
      onSubmit={() => void submit()}
      aria-labelledby={headingId}
    >
      <h3 id={headingId}>{t('cases.attachments.upload.heading')}</h3>
      <FileField inputRef={inputRef} error={quickError} disabled={busy} onChange={onChange} />
      {busy && (
        <div className="cases-attachments__progress">
          <label htmlFor={progressId}>{t('cases.attachments.upload.progress')}</label>
          <progress id={progressId} max={100} value={Math.round((sent ?? 0) * 100)} />
          <span>{t('cases.attachments.upload.sent', { sent: sent ?? 0 })}</span>
        </div>
      )}
      <div className="actions">
        <Button type="submit" busy={busy}>
          {t('cases.attachments.upload.submit')}
        </Button>
        {busy && (
          <Button variant="secondary" onClick={() => abortRef.current?.()}>
            {t('cases.attachments.upload.cancel')}
          </Button>
        )}
      </div>
    </Form>
  );
}

/** The file input, labelled and described like every other field (its error from the form or the quick check). */
function FileField({
  inputRef,
  error,
  disabled,
  onChange,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  error: string | undefined;
  disabled: boolean;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
}) {
  const { t } = useTranslation();
  const hint = t('cases.attachments.upload.hint', { max: MAX_ATTACHMENT_MB });
  const frame = useFieldFrame('file', hint, error);
  return (
    <div className={fieldClass(frame.message)}>
      <label htmlFor={frame.id} className="field__label">
        {t('cases.attachments.upload.label')}
      </label>
      <FieldText frame={frame} hint={hint} />
      <input
        ref={inputRef}
        id={frame.id}
        name="file"
        type="file"
        className="field__input"
        accept={ACCEPT_ATTRIBUTE}
        aria-describedby={frame.describedBy}
        aria-invalid={frame.message ? true : undefined}
        disabled={disabled}
        onChange={onChange}
      />
    </div>
  );
}
