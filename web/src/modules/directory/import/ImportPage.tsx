import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../../api/problem';
import { Button, ColumnMapping, PageHeading, Table, type TableColumn } from '../../../ui';
import { RequireSignIn } from '../../identity/auth/RequireSignIn';
import {
  commitImport,
  importKeys,
  uploadImport,
  useImport,
  type DirectoryImport,
  type ImportIssue,
} from './api';
import { IMPORT_FIELDS, MAX_IMPORT_BYTES, REQUIRED_FIELDS, mediaTypeOf, type ImportField } from './fields';
import './import.css';

/** The import page: platform staff (acting as network coordinators) list organisations from a file. */
export function ImportPage() {
  const { t } = useTranslation();
  return (
    <div className="page import-page">
      <PageHeading>{t('directoryImport.title')}</PageHeading>
      <RequireSignIn>
        {(me) =>
          me.abilities.moderate ? (
            <Importer />
          ) : (
            <div className="notice" role="status">
              <p>{t('directoryImport.staffOnly')}</p>
            </div>
          )
        }
      </RequireSignIn>
    </div>
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

function Importer() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const fileId = useId();
  const hintId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [check, setCheck] = useState<DirectoryImport | null>(null);
  const [mapping, setMapping] = useState<(ImportField | null)[]>([]);
  const [committing, setCommitting] = useState(false);
  const [commitError, setCommitError] = useState<unknown>(null);
  const abortRef = useRef<(() => void) | null>(null);
  const live = useImport(check?.id ?? null, committing);
  // While committing (and after), the polled state is the truth; before, the dry run's answer is.
  const current = committing || check?.status !== 'checked' ? (live.data ?? check) : check;

  useEffect(() => () => abortRef.current?.(), []);

  const number = (value: number) => new Intl.NumberFormat(i18n.language).format(value);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setCheck(null);
    setUploadError(null);
    setCommitError(null);
    setFileError(null);
    setFile(null);
    if (!chosen) return;
    if (!mediaTypeOf(chosen.name)) setFileError(t('directoryImport.file.wrongType'));
    else if (chosen.size > MAX_IMPORT_BYTES) setFileError(t('directoryImport.file.tooLarge'));
    else setFile(chosen);
  };

  const runCheck = async (withMapping?: (ImportField | null)[]) => {
    if (!file) return;
    setUploadError(null);
    setCommitError(null);
    setSent(0);
    const upload = uploadImport(file, { mapping: withMapping, onProgress: setSent });
    abortRef.current = upload.abort;
    try {
      const result = await upload.promise;
      setCheck(result);
      setMapping(result.columns.map((column) => column.field));
      queryClient.setQueryData(importKeys.one(result.id), result);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) setUploadError(error);
    } finally {
      abortRef.current = null;
      setSent(null);
    }
  };

  const onCommit = async () => {
    if (!check) return;
    setCommitting(true);
    setCommitError(null);
    try {
      const result = await commitImport(check.id);
      queryClient.setQueryData(importKeys.one(check.id), result);
      setCheck(result);
    } catch (error) {
      setCommitError(error);
      // A failed commit leaves its reason in the import's report.
      const refreshed = await live.refetch();
      if (refreshed.data) setCheck(refreshed.data);
    } finally {
      setCommitting(false);
    }
  };

  const uploading = sent !== null;
  const mappingChanged = check !== null && check.columns.some((column, i) => column.field !== mapping[i]);
  const missing = REQUIRED_FIELDS.filter((field) => !mapping.includes(field));

  return (
    <>
      <section aria-labelledby="import-file" className="import-block">
        <h2 id="import-file">{t('directoryImport.file.heading')}</h2>
        <div className={fileError ? 'field field--invalid' : 'field'}>
          <label htmlFor={fileId} className="field__label">
            {t('directoryImport.file.label')}
          </label>
          <p id={hintId} className="field__hint">
            {t('directoryImport.file.hint')}
          </p>
          {fileError && (
            <p id={`${fileId}-error`} className="field__error" role="alert">
              {fileError}
            </p>
          )}
          <input
            id={fileId}
            type="file"
            className="field__input"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby={fileError ? `${hintId} ${fileId}-error` : hintId}
            aria-invalid={fileError ? true : undefined}
            onChange={onFile}
            disabled={uploading || committing}
          />
        </div>
        <ColumnsHelp />
        <div className="actions">
          <Button onClick={() => void runCheck()} busy={uploading} disabled={!file || committing}>
            {t('directoryImport.file.check')}
          </Button>
          {uploading && (
            <Button variant="secondary" onClick={() => abortRef.current?.()}>
              {t('directoryImport.file.cancel')}
            </Button>
          )}
        </div>
        {uploading && (
          <div className="import-progress">
            <label htmlFor={`${fileId}-upload`}>{t('directoryImport.file.uploading')}</label>
            <progress id={`${fileId}-upload`} max={100} value={Math.round((sent ?? 0) * 100)} />
            <span role="status">
              {sent !== null && sent >= 1
                ? t('directoryImport.file.checking')
                : t('directoryImport.file.percent', { percent: Math.round((sent ?? 0) * 100) })}
            </span>
          </div>
        )}
        {uploadError !== null && (
          <div className="notice notice--error" role="alert">
            <h3>{t('directoryImport.file.refused')}</h3>
            <ul>
              {problemMessages(uploadError, t('directoryImport.errors.network')).map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {check && current && (
        <>
          <section aria-labelledby="import-columns" className="import-block">
            <h2 id="import-columns">{t('directoryImport.columns.heading')}</h2>
            <p>{t('directoryImport.columns.intro')}</p>
            <ColumnMapping
              columns={check.columns}
              fields={IMPORT_FIELDS.map((field) => ({
                value: field,
                label: t(`directoryImport.fields.${field}`),
              }))}
              mapping={mapping}
              disabled={uploading || committing || current.status !== 'checked'}
              onChange={setMapping}
              fileName={check.fileName}
              keyPrefix="directoryImport.columns"
            />
            {missing.length > 0 && (
              <p className="field__error">
                {t('directoryImport.columns.missing', {
                  fields: missing.map((field) => t(`directoryImport.fields.${field}`)).join(', '),
                })}
              </p>
            )}
            {current.status === 'checked' && (
              <div className="actions">
                <Button
                  variant={mappingChanged ? 'primary' : 'secondary'}
                  onClick={() => void runCheck(mapping)}
                  busy={uploading}
                  disabled={committing}
                >
                  {t('directoryImport.columns.recheck')}
                </Button>
              </div>
            )}
          </section>

          <Report current={current} number={number} />

          <section aria-labelledby="import-commit" className="import-block">
            <h2 id="import-commit">{t('directoryImport.commit.heading')}</h2>
            {current.status === 'committed' ? (
              <div className="notice" role="status">
                <p>{t('directoryImport.commit.done', { count: current.counts.created })}</p>
                <p>
                  <Link to="/directory">{t('directoryImport.commit.toDirectory')}</Link>
                </p>
              </div>
            ) : current.status === 'failed' ? (
              <div className="notice notice--error" role="alert">
                <p>{t('directoryImport.commit.failed')}</p>
              </div>
            ) : committing || current.status === 'committing' ? (
              <div className="import-progress">
                <label htmlFor="import-commit-progress">{t('directoryImport.commit.running')}</label>
                <progress
                  id="import-commit-progress"
                  max={Math.max(current.progress.total, 1)}
                  value={current.progress.processed}
                />
                <span role="status">
                  {t('directoryImport.commit.progress', {
                    processed: current.progress.processed,
                    total: current.progress.total,
                  })}
                </span>
              </div>
            ) : current.canCommit && !mappingChanged ? (
              <>
                <p>{t('directoryImport.commit.ready', { count: current.counts.valid })}</p>
                <Button onClick={() => void onCommit()}>
                  {t('directoryImport.commit.button', { count: current.counts.valid })}
                </Button>
              </>
            ) : (
              <p>
                {mappingChanged
                  ? t('directoryImport.commit.recheckFirst')
                  : t('directoryImport.commit.fixFirst')}
              </p>
            )}
            {commitError !== null && current.status === 'checked' && (
              <div className="notice notice--error" role="alert">
                {problemMessages(commitError, t('directoryImport.errors.network')).map((message) => (
                  <p key={message}>{message}</p>
                ))}
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}

/** The columns the importer knows, for people preparing a file. */
function ColumnsHelp() {
  const { t } = useTranslation();
  return (
    <details className="import-help">
      <summary>{t('directoryImport.help.summary')}</summary>
      <p>{t('directoryImport.help.intro')}</p>
      <dl>
        {IMPORT_FIELDS.map((field) => (
          <div key={field}>
            <dt>
              <code>{field}</code>
              {REQUIRED_FIELDS.includes(field) && ` (${t('ui.required')})`}
            </dt>
            <dd>{t(`directoryImport.help.fields.${field}`)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** The dry run's counts and its problems, row by row. */
function Report({ current, number }: { current: DirectoryImport; number: (value: number) => string }) {
  const { t } = useTranslation();
  const columns: TableColumn<ImportIssue & { key: string }>[] = [
    {
      key: 'row',
      header: t('directoryImport.report.row'),
      isRowHeader: true,
      align: 'end',
      cell: (issue) => (issue.row === 0 ? t('directoryImport.report.wholeFile') : number(issue.row)),
    },
    {
      key: 'column',
      header: t('directoryImport.report.column'),
      cell: (issue) => issue.column ?? (issue.field ? t(`directoryImport.fields.${issue.field}`) : '—'),
    },
    { key: 'problem', header: t('directoryImport.report.problem'), cell: (issue) => issue.message },
  ];
  const rows = current.report.map((issue, index) => ({ ...issue, key: `${issue.row}-${index}` }));
  return (
    <section aria-labelledby="import-report" className="import-block">
      <h2 id="import-report">{t('directoryImport.report.heading')}</h2>
      <div role="status">
        <ul className="import-counts">
          <li>{t('directoryImport.report.rows', { count: current.counts.rows })}</li>
          <li>{t('directoryImport.report.valid', { count: current.counts.valid })}</li>
          <li>{t('directoryImport.report.invalid', { count: current.counts.invalid })}</li>
        </ul>
      </div>
      {rows.length === 0 ? (
        <p>{t('directoryImport.report.clean')}</p>
      ) : (
        <>
          <Table
            caption={t('directoryImport.report.caption', { count: current.counts.issues })}
            columns={columns}
            rows={rows}
            rowKey={(row) => row.key}
          />
          {current.reportTruncated && (
            <p>
              {t('directoryImport.report.truncated', { shown: rows.length, total: current.counts.issues })}
            </p>
          )}
        </>
      )}
    </section>
  );
}
