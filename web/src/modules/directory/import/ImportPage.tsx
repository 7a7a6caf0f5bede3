import { useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  Button,
  ColumnMapping,
  ImportProgress,
  ImportReport,
  PageHeading,
  ProblemNotice,
  SpreadsheetFileField,
  SpreadsheetUploadActions,
  useSpreadsheetUpload,
} from '../../../ui';
import { RequireSignIn } from '../../identity/auth/RequireSignIn';
import { commitImport, importKeys, uploadImport, useImport, type DirectoryImport } from './api';
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

function Importer() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const upload = useSpreadsheetUpload({
    keyPrefix: 'directoryImport.file',
    isReadable: (file) => mediaTypeOf(file.name) !== null,
    isTooLarge: (file) => file.size > MAX_IMPORT_BYTES,
  });
  const [check, setCheck] = useState<DirectoryImport | null>(null);
  const [mapping, setMapping] = useState<(ImportField | null)[]>([]);
  const [committing, setCommitting] = useState(false);
  const [commitError, setCommitError] = useState<unknown>(null);
  const live = useImport(check?.id ?? null, committing);
  // While committing (and after), the polled state is the truth; before, the dry run's answer is.
  const current = committing || check?.status !== 'checked' ? (live.data ?? check) : check;

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    setCheck(null);
    setCommitError(null);
    upload.choose(event);
  };

  const runCheck = (withMapping?: (ImportField | null)[]) =>
    upload.send(
      (file, onProgress) => {
        setCommitError(null);
        return uploadImport(file, { mapping: withMapping, onProgress });
      },
      (result) => {
        setCheck(result);
        setMapping(result.columns.map((column) => column.field));
        queryClient.setQueryData(importKeys.one(result.id), result);
      },
    );

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

  const { uploading } = upload;
  const mappingChanged = check !== null && check.columns.some((column, i) => column.field !== mapping[i]);
  const missing = REQUIRED_FIELDS.filter((field) => !mapping.includes(field));

  return (
    <>
      <section aria-labelledby="import-file" className="import-block">
        <h2 id="import-file">{t('directoryImport.file.heading')}</h2>
        <SpreadsheetFileField
          keyPrefix="directoryImport.file"
          error={upload.fileError}
          disabled={uploading || committing}
          onChange={onFile}
        />
        <ColumnsHelp />
        <SpreadsheetUploadActions
          upload={upload}
          keyPrefix="directoryImport.file"
          checkingKey="checking"
          networkError={t('directoryImport.errors.network')}
          disabled={committing}
          onCheck={() => void runCheck()}
          actionsClassName="actions"
          progressClassName="import-progress"
        />
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

          <ImportReport
            report={current.report}
            counts={current.counts}
            truncated={current.reportTruncated}
            keyPrefix="directoryImport.report"
            headingId="import-report"
            className="import-block"
            countsClassName="import-counts"
            liveCounts
            columnOf={(issue) =>
              issue.column ?? (issue.field ? t(`directoryImport.fields.${issue.field}`) : '—')
            }
          />

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
              <ImportProgress
                className="import-progress"
                label={t('directoryImport.commit.running')}
                value={current.progress.processed}
                max={Math.max(current.progress.total, 1)}
                text={t('directoryImport.commit.progress', {
                  processed: current.progress.processed,
                  total: current.progress.total,
                })}
              />
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
              <ProblemNotice error={commitError} fallback={t('directoryImport.errors.network')} />
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
