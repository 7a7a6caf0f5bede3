import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/problem';
import { Button } from './Button';
import { Table, type TableColumn } from './Table';

/** An upload under way: its answer, and a way to stop it. */
export interface SpreadsheetUpload<Result> {
  promise: Promise<Result>;
  abort: () => void;
}

/** What {@link useSpreadsheetUpload} must know of the files a module takes. */
export interface SpreadsheetUploadOptions {
  /** Where the module keeps the words of a refused file: `wrongType` and `tooLarge`. */
  keyPrefix: string;
  /** The file is of a kind the module reads. */
  isReadable: (file: File) => boolean;
  /** The file is larger than the module takes. */
  isTooLarge: (file: File) => boolean;
}

/**
 * The file an import checks and its upload: the file chosen (or why it was refused), how much of it has
 * been sent, and why the server refused it. An upload still running when the page closes is stopped.
 */
export function useSpreadsheetUpload({ keyPrefix, isReadable, isTooLarge }: SpreadsheetUploadOptions) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const abortRef = useRef<(() => void) | null>(null);

  useEffect(() => () => abortRef.current?.(), []);

  /** Why a file cannot be checked, if it cannot. */
  const refuse = (chosen: File) =>
    !isReadable(chosen)
      ? t(`${keyPrefix}.wrongType`)
      : isTooLarge(chosen)
        ? t(`${keyPrefix}.tooLarge`)
        : null;

  /** Takes the file of an input's change, unless it must be refused. */
  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    const reason = chosen ? refuse(chosen) : null;
    setUploadError(null);
    setFileError(reason);
    setFile(reason === null ? chosen : null);
  };

  /** Sends the chosen file with `start`, then hands its answer to `onResult`; a cancelled upload says nothing. */
  const send = async <Result,>(
    start: (file: File, onProgress: (fraction: number) => void) => SpreadsheetUpload<Result>,
    onResult: (result: Result) => void,
  ) => {
    if (!file) return;
    setUploadError(null);
    setSent(0);
    const upload = start(file, setSent);
    abortRef.current = upload.abort;
    try {
      onResult(await upload.promise);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) setUploadError(error);
    } finally {
      abortRef.current = null;
      setSent(null);
    }
  };

  return {
    file,
    fileError,
    uploadError,
    uploading: sent !== null,
    /** How much of the file has been sent, in percent. */
    percent: Math.round((sent ?? 0) * 100),
    /** The whole file has been sent: the server is checking it. */
    allSent: (sent ?? 0) >= 1,
    choose,
    send,
    cancel: () => abortRef.current?.(),
  };
}

/** What {@link useSpreadsheetUpload} gives a page. */
export type SpreadsheetUploadState = ReturnType<typeof useSpreadsheetUpload>;

/** Props of {@link SpreadsheetFileField}. */
export interface SpreadsheetFileFieldProps {
  /** Where the module keeps the field's words: `label` and `hint`. */
  keyPrefix: string;
  /** Why the chosen file was refused. */
  error: string | null;
  disabled: boolean;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
}

/** The file input of an import: a CSV or XLSX file, with a hint and the reason a file was refused. */
export function SpreadsheetFileField({ keyPrefix, error, disabled, onChange }: SpreadsheetFileFieldProps) {
  const { t } = useTranslation();
  const fileId = useId();
  const hintId = useId();
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label htmlFor={fileId} className="field__label">
        {t(`${keyPrefix}.label`)}
      </label>
      <p id={hintId} className="field__hint">
        {t(`${keyPrefix}.hint`)}
      </p>
      {error && (
        <p id={`${fileId}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
      <input
        id={fileId}
        type="file"
        className="field__input"
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-describedby={error ? `${hintId} ${fileId}-error` : hintId}
        aria-invalid={error ? true : undefined}
        onChange={onChange}
        disabled={disabled}
      />
    </div>
  );
}

/** A labelled progress bar with its words announced politely. */
export function ImportProgress({
  className,
  label,
  value,
  max,
  text,
}: {
  className: string;
  label: string;
  value: number;
  max: number;
  text: string;
}) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <progress id={id} max={max} value={value} />
      <span role="status">{text}</span>
    </div>
  );
}

/** Props of {@link SpreadsheetUploadActions}. */
export interface SpreadsheetUploadActionsProps {
  upload: SpreadsheetUploadState;
  /**
   * Where the module keeps the words: `check`, `cancel`, `uploading`, `percent` ({percent}), `refused` and,
   * named by `checkingKey`, the words once the whole file is sent.
   */
  keyPrefix: string;
  checkingKey: string;
  /** The words for a request that failed without the server's answer. */
  networkError: string;
  /** Whether checking is barred for another reason than the lack of a file. */
  disabled: boolean;
  onCheck: () => void;
  actionsClassName: string;
  progressClassName: string;
}

/** The buttons that check the chosen file or cancel its upload, the upload's progress and its refusal. */
export function SpreadsheetUploadActions({
  upload,
  keyPrefix,
  checkingKey,
  networkError,
  disabled,
  onCheck,
  actionsClassName,
  progressClassName,
}: SpreadsheetUploadActionsProps) {
  const { t } = useTranslation();
  const word = (key: string, values?: Record<string, string | number>) => t(`${keyPrefix}.${key}`, values);
  return (
    <>
      <div className={actionsClassName}>
        <Button onClick={onCheck} busy={upload.uploading} disabled={!upload.file || disabled}>
          {word('check')}
        </Button>
        {upload.uploading && (
          <Button variant="secondary" onClick={upload.cancel}>
            {word('cancel')}
          </Button>
        )}
      </div>
      {upload.uploading && (
        <ImportProgress
          className={progressClassName}
          label={word('uploading')}
          value={upload.percent}
          max={100}
          text={upload.allSent ? word(checkingKey) : word('percent', { percent: upload.percent })}
        />
      )}
      {upload.uploadError !== null && (
        <ProblemNotice error={upload.uploadError} fallback={networkError} heading={word('refused')} />
      )}
    </>
  );
}

/** The message of a failed request: the server's own (localised) words when it sent a problem. */
function problemMessages(error: unknown, fallback: string): string[] {
  if (error instanceof ApiError && error.problem) {
    const fields = (error.problem.errors ?? []).map((e) => e.message);
    return fields.length > 0 ? fields : [error.problem.detail ?? error.problem.title];
  }
  return [fallback];
}

/**
 * Why a request failed, as an alert: under a heading as a list, or without one as paragraphs. `fallback`
 * stands for an answer that is no problem (a network failure).
 */
export function ProblemNotice({
  error,
  fallback,
  heading,
}: {
  error: unknown;
  fallback: string;
  heading?: string;
}) {
  const messages = problemMessages(error, fallback);
  return (
    <div className="notice notice--error" role="alert">
      {heading === undefined ? (
        messages.map((message) => <p key={message}>{message}</p>)
      ) : (
        <>
          <h3>{heading}</h3>
          <ul>
            {messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** One problem of an import's dry run. */
export interface ImportReportIssue {
  /** Row in the file, the header being row 1 (0: the file as a whole). */
  row: number;
  column: string | null;
  message: string;
}

/** Props of {@link ImportReport}. */
export interface ImportReportProps<Issue extends ImportReportIssue> {
  report: readonly Issue[];
  counts: { rows: number; valid: number; invalid: number; issues: number };
  /** The server sent only the first problems. */
  truncated: boolean;
  /**
   * Where the module keeps the report's words: `heading`, `rows`, `valid`, `invalid` ({count}), `clean`,
   * `caption` ({count}), `row`, `wholeFile`, `column`, `problem` and `truncated` ({shown}, {total}).
   */
  keyPrefix: string;
  /** The heading's id, which names the section. */
  headingId: string;
  className: string;
  countsClassName: string;
  /** Announce the counts when they change. */
  liveCounts?: boolean;
  /** The column of a problem, in words (by default its header, or a dash). */
  columnOf?: (issue: Issue) => string;
}

/** The dry run's counts and its problems, row by row. */
export function ImportReport<Issue extends ImportReportIssue>({
  report,
  counts,
  truncated,
  keyPrefix,
  headingId,
  className,
  countsClassName,
  liveCounts = false,
  columnOf = (issue) => issue.column ?? '—',
}: ImportReportProps<Issue>) {
  const { t, i18n } = useTranslation();
  const word = (key: string, values?: Record<string, string | number>) => t(`${keyPrefix}.${key}`, values);
  const number = (value: number) => new Intl.NumberFormat(i18n.language).format(value);
  const columns: TableColumn<Issue & { key: string }>[] = [
    {
      key: 'row',
      header: word('row'),
      isRowHeader: true,
      align: 'end',
      cell: (issue) => (issue.row === 0 ? word('wholeFile') : number(issue.row)),
    },
    { key: 'column', header: word('column'), cell: columnOf },
    { key: 'problem', header: word('problem'), cell: (issue) => issue.message },
  ];
  const rows = report.map((issue, index) => ({ ...issue, key: `${issue.row}-${index}` }));
  const countList = (
    <ul className={countsClassName}>
      <li>{word('rows', { count: counts.rows })}</li>
      <li>{word('valid', { count: counts.valid })}</li>
      <li>{word('invalid', { count: counts.invalid })}</li>
    </ul>
  );
  return (
    <section aria-labelledby={headingId} className={className}>
      <h2 id={headingId}>{word('heading')}</h2>
      {liveCounts ? <div role="status">{countList}</div> : countList}
      {rows.length === 0 ? (
        <p>{word('clean')}</p>
      ) : (
        <>
          <Table
            caption={word('caption', { count: counts.issues })}
            columns={columns}
            rows={rows}
            rowKey={(row) => row.key}
          />
          {truncated && <p>{word('truncated', { shown: rows.length, total: counts.issues })}</p>}
        </>
      )}
    </section>
  );
}
