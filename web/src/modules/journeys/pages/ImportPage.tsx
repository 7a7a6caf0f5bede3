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

function Importer() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const upload = useSpreadsheetUpload({
    keyPrefix: 'journeys.import.file',
    isReadable: (file) => importMediaTypeOf(file.name) !== null,
    isTooLarge,
  });
  const [layout, setLayout] = useState<ImportLayout>('tracker');
  const [importId, setImportId] = useState<string | null>(null);
  const [mapping, setMapping] = useState<(ImportField | null)[]>([]);
  const [commitError, setCommitError] = useState<unknown>(null);
  const live = useJourneyImport(importId);
  const current = live.data;

  // The columns arrive with the dry run's report: the mapping starts from the one the server applied.
  const [mappedFor, setMappedFor] = useState<string | null>(null);
  if (current && current.columns.length > 0 && mappedFor !== current.id) {
    setMappedFor(current.id);
    setMapping(current.columns.map((column) => column.field));
  }

  const { uploading } = upload;
  // The importer changed the columns since the dry run: it must run again before an import.
  const mappingChanged =
    current !== undefined && current.columns.some((c, i) => c.field !== (mapping[i] ?? null));
  const busy = uploading || isRunning(current?.status);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    setImportId(null);
    setCommitError(null);
    upload.choose(event);
  };

  const runCheck = (withMapping?: (ImportField | null)[]) =>
    upload.send(
      (file, onProgress) => {
        setImportId(null);
        setCommitError(null);
        return uploadJourneyImport(file, { layout, mapping: withMapping, onProgress });
      },
      (result) => {
        queryClient.setQueryData(journeyImportKey(result.id), result);
        setImportId(result.id);
      },
    );

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
        <SpreadsheetFileField
          keyPrefix="journeys.import.file"
          error={upload.fileError}
          disabled={busy}
          onChange={onFile}
        />
        <SpreadsheetUploadActions
          upload={upload}
          keyPrefix="journeys.import.file"
          checkingKey="verifying"
          networkError={t('journeys.import.errors.network')}
          disabled={busy}
          onCheck={() => void runCheck()}
          actionsClassName="journeys__actions"
          progressClassName="journeys__actions"
        />
      </section>

      {current && (
        <>
          {current.status === 'checking' || current.status === 'uploading' ? (
            <ImportProgress
              className="journeys__actions"
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
              <ImportReport
                report={current.report}
                counts={current.counts}
                truncated={current.reportTruncated}
                keyPrefix="journeys.import.report"
                headingId="journey-import-report"
                className="journeys__section"
                countsClassName="journeys__counts"
              />
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
              <ImportProgress
                className="journeys__actions"
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
              <ProblemNotice error={commitError} fallback={t('journeys.import.errors.network')} />
            )}
          </section>
        </>
      )}
    </>
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
