import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../../api/problem';
import { Button, ColumnMapping, PageHeading, Table, type TableColumn } from '../../../ui';
import { RequireSignIn } from '../../identity/auth/RequireSignIn';
import {
  IMPORT_LAYOUTS,
  commitJourneyImport,
  importMediaTypeOf,
  isRunning,
  isTooLarge,
  journeyImportKey,
  uploadJourneyImport,
  useJourneyImport,
  type ImportField,
  type ImportLayout,
  type JourneyImport,
} from '../import';
import { journeyPaths } from '../paths';
import { useJourneyRoles } from '../roles';
import '../journeys.css';

/**
 * Import routes from a spreadsheet (Victim Journey Tracker or CTDC layout): the server checks the file as it
 * arrives, then a dry run reports every row; nothing is created until the importer commits a clean run, and
 * then every route or none.
 */
export function ImportPage() {
  const { t } = useTranslation();
  const roles = useJourneyRoles();
  return (
    <div className="journeys">
      <PageHeading>{t('journeys.import.title')}</PageHeading>
      <p className="journeys__lead">{t('journeys.import.lead')}</p>
      <RequireSignIn>
        {() =>
          roles.contributor ? (
            <Importer />
          ) : (
            <div className="notice" role="status">
              <p>{t('journeys.import.contributorsOnly')}</p>
            </div>
          )
        }
      </RequireSignIn>
    </div>
  );
}

/** The server's own (localised) words for a failed request, or the fallback. */
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
  const [layout, setLayout] = useState<ImportLayout>('tracker');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [mapping, setMapping] = useState<(ImportField | null)[]>([]);
  const [commitError, setCommitError] = useState<unknown>(null);
  const abortRef = useRef<(() => void) | null>(null);
  const live = useJourneyImport(importId);
  const current = live.data;

  useEffect(() => () => abortRef.current?.(), []);

  // The columns arrive with the dry run's report: the mapping starts from the one the server applied.
  const [mappedFor, setMappedFor] = useState<string | null>(null);
  if (current && current.columns.length > 0 && mappedFor !== current.id) {
    setMappedFor(current.id);
    setMapping(current.columns.map((column) => column.field));
  }

  const number = (value: number) => new Intl.NumberFormat(i18n.language).format(value);
  const uploading = sent !== null;
  // The importer changed the columns since the dry run: it must run again before an import.
  const mappingChanged =
    current !== undefined && current.columns.some((c, i) => c.field !== (mapping[i] ?? null));
  const busy = uploading || isRunning(current?.status);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setImportId(null);
    setUploadError(null);
    setCommitError(null);
    setFileError(null);
    setFile(null);
    if (!chosen) return;
    if (!importMediaTypeOf(chosen.name)) setFileError(t('journeys.import.file.wrongType'));
    else if (isTooLarge(chosen)) setFileError(t('journeys.import.file.tooLarge'));
    else setFile(chosen);
  };

  const runCheck = async (withMapping?: (ImportField | null)[]) => {
    if (!file) return;
    setImportId(null);
    setUploadError(null);
    setCommitError(null);
    setSent(0);
    const upload = uploadJourneyImport(file, { layout, mapping: withMapping, onProgress: setSent });
    abortRef.current = upload.abort;
    try {
      const result = await upload.promise;
      queryClient.setQueryData(journeyImportKey(result.id), result);
      setImportId(result.id);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) setUploadError(error);
    } finally {
      abortRef.current = null;
      setSent(null);
    }
  };

  const onCommit = async () => {
    if (!current) return;
    setCommitError(null);
    try {
      queryClient.setQueryData(journeyImportKey(current.id), await commitJourneyImport(current.id));
    } catch (error) {
      setCommitError(error);
      await live.refetch();
    }
  };

  return (
    <>
      <section aria-labelledby="journey-import-file" className="journeys__section">
        <h2 id="journey-import-file">{t('journeys.import.file.heading')}</h2>
        <fieldset className="field" disabled={busy}>
          <legend className="field__label">{t('journeys.import.layout.legend')}</legend>
          {IMPORT_LAYOUTS.map((option) => (
            <div key={option}>
              <label>
                <input
                  type="radio"
                  name="journey-import-layout"
                  value={option}
                  checked={layout === option}
                  onChange={() => setLayout(option)}
                />{' '}
                {t(`journeys.import.layout.${option}`)}
              </label>
              <p className="field__hint">{t(`journeys.import.layout.${option}Hint`)}</p>
            </div>
          ))}
        </fieldset>
        <div className={fileError ? 'field field--invalid' : 'field'}>
          <label htmlFor={fileId} className="field__label">
            {t('journeys.import.file.label')}
          </label>
          <p id={hintId} className="field__hint">
            {t('journeys.import.file.hint')}
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
            disabled={busy}
          />
        </div>
        <div className="journeys__actions">
          <Button onClick={() => void runCheck()} busy={uploading} disabled={!file || busy}>
            {t('journeys.import.file.check')}
          </Button>
          {uploading && (
            <Button variant="secondary" onClick={() => abortRef.current?.()}>
              {t('journeys.import.file.cancel')}
            </Button>
          )}
        </div>
        {uploading && (
          <Progress
            label={t('journeys.import.file.uploading')}
            value={Math.round((sent ?? 0) * 100)}
            max={100}
            text={
              (sent ?? 0) >= 1
                ? t('journeys.import.file.verifying')
                : t('journeys.import.file.percent', { percent: Math.round((sent ?? 0) * 100) })
            }
          />
        )}
        {uploadError !== null && (
          <div className="notice notice--error" role="alert">
            <h3>{t('journeys.import.file.refused')}</h3>
            <ul>
              {problemMessages(uploadError, t('journeys.import.errors.network')).map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {current && (
        <>
          {current.status === 'checking' || current.status === 'uploading' ? (
            <Progress
              label={t('journeys.import.checking')}
              value={current.progress.processed}
              max={Math.max(current.progress.total, current.progress.processed, 1)}
              text={t('journeys.import.rowsDone', { count: current.progress.processed })}
            />
          ) : (
            <>
              <Columns
                current={current}
                mapping={mapping}
                changed={mappingChanged}
                disabled={busy || current.status !== 'checked'}
                onChange={setMapping}
                onRecheck={() => void runCheck(mapping)}
              />
              <Report current={current} number={number} />
            </>
          )}
          <section aria-labelledby="journey-import-commit" className="journeys__section">
            <h2 id="journey-import-commit">{t('journeys.import.commit.heading')}</h2>
            {current.status === 'committed' ? (
              <div className="notice" role="status">
                <p>{t('journeys.import.commit.done', { count: current.counts.created })}</p>
                <p>
                  <Link to={journeyPaths.contributions}>{t('journeys.import.commit.toContributions')}</Link>
                </p>
              </div>
            ) : current.status === 'failed' ? (
              <div className="notice notice--error" role="alert">
                <p>{t('journeys.import.commit.failed')}</p>
              </div>
            ) : current.status === 'committing' ? (
              <Progress
                label={t('journeys.import.commit.running')}
                value={current.progress.processed}
                max={Math.max(current.progress.total, 1)}
                text={t('journeys.import.commit.progress', {
                  processed: current.progress.processed,
                  total: current.progress.total,
                })}
              />
            ) : current.status === 'checked' && mappingChanged ? (
              <p>{t('journeys.import.commit.recheckFirst')}</p>
            ) : current.status === 'checked' && current.canCommit ? (
              <>
                <p>{t('journeys.import.commit.ready', { count: current.counts.valid })}</p>
                <Button onClick={() => void onCommit()}>
                  {t('journeys.import.commit.button', { count: current.counts.valid })}
                </Button>
              </>
            ) : current.status === 'checked' ? (
              <p>{t('journeys.import.commit.fixFirst')}</p>
            ) : (
              <p>{t('journeys.import.commit.waiting')}</p>
            )}
            {commitError !== null && (
              <div className="notice notice--error" role="alert">
                {problemMessages(commitError, t('journeys.import.errors.network')).map((message) => (
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

/** A labelled progress bar with its words announced politely. */
function Progress({ label, value, max, text }: { label: string; value: number; max: number; text: string }) {
  const id = useId();
  return (
    <div className="journeys__actions">
      <label htmlFor={id}>{label}</label>
      <progress id={id} max={max} value={value} />
      <span role="status">{text}</span>
    </div>
  );
}

/**
 * The file's columns and the route field each fills: the server proposed them from the headers; the importer
 * can change them and check the file again with the new mapping.
 */
function Columns({
  current,
  mapping,
  changed,
  disabled,
  onChange,
  onRecheck,
}: {
  current: JourneyImport;
  mapping: (ImportField | null)[];
  changed: boolean;
  disabled: boolean;
  onChange: (mapping: (ImportField | null)[]) => void;
  onRecheck: () => void;
}) {
  const { t } = useTranslation();
  if (current.columns.length === 0) return null;
  // A tracker field has a label in every language; a CTDC field is CTDC's own column name.
  const label = (field: ImportField) =>
    current.layout === 'tracker' ? t(`journeys.import.fields.${field}`) : field;
  const fields = current.fields.map((field) => ({ value: field, label: label(field) }));
  const missing = current.requiredFields.filter((field) => !mapping.includes(field));
  return (
    <section aria-labelledby="journey-import-columns" className="journeys__section">
      <h2 id="journey-import-columns">{t('journeys.import.columns.heading')}</h2>
      <p>{t('journeys.import.columns.intro')}</p>
      <ColumnMapping
        columns={current.columns}
        fields={fields}
        mapping={mapping}
        disabled={disabled}
        onChange={onChange}
        fileName={current.fileName}
        keyPrefix="journeys.import.columns"
      />
      {missing.length > 0 && (
        <p className="field__error">
          {t('journeys.import.columns.missing', { fields: missing.map(label).join(', ') })}
        </p>
      )}
      {current.status === 'checked' && (
        <div className="journeys__actions">
          <Button variant={changed ? 'primary' : 'secondary'} onClick={onRecheck} disabled={disabled}>
            {t('journeys.import.columns.recheck')}
          </Button>
        </div>
      )}
    </section>
  );
}

/** The dry run's counts and its problems, row by row. */
function Report({ current, number }: { current: JourneyImport; number: (value: number) => string }) {
  const { t } = useTranslation();
  type Issue = JourneyImport['report'][number] & { key: string };
  const columns: TableColumn<Issue>[] = [
    {
      key: 'row',
      header: t('journeys.import.report.row'),
      isRowHeader: true,
      align: 'end',
      cell: (issue) => (issue.row === 0 ? t('journeys.import.report.wholeFile') : number(issue.row)),
    },
    { key: 'column', header: t('journeys.import.report.column'), cell: (issue) => issue.column ?? '—' },
    { key: 'problem', header: t('journeys.import.report.problem'), cell: (issue) => issue.message },
  ];
  const rows = current.report.map((issue, index) => ({ ...issue, key: `${issue.row}-${index}` }));
  return (
    <section aria-labelledby="journey-import-report" className="journeys__section">
      <h2 id="journey-import-report">{t('journeys.import.report.heading')}</h2>
      <ul className="journeys__counts">
        <li>{t('journeys.import.report.rows', { count: current.counts.rows })}</li>
        <li>{t('journeys.import.report.valid', { count: current.counts.valid })}</li>
        <li>{t('journeys.import.report.invalid', { count: current.counts.invalid })}</li>
      </ul>
      {rows.length === 0 ? (
        <p>{t('journeys.import.report.clean')}</p>
      ) : (
        <>
          <Table
            caption={t('journeys.import.report.caption', { count: current.counts.issues })}
            columns={columns}
            rows={rows}
            rowKey={(row) => row.key}
          />
          {current.reportTruncated && (
            <p>
              {t('journeys.import.report.truncated', { shown: rows.length, total: current.counts.issues })}
            </p>
          )}
        </>
      )}
    </section>
  );
}
