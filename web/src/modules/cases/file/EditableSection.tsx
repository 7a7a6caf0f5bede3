import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/problem';
import { Button, Form, VisuallyHidden, useToast } from '../../../ui';
import { StepUpCancelledError } from '../../identity/auth/useStepUp';
import { useCaseMutation } from '../mutation';
import { messageOf } from '../../identity/organisations/errors';
import { updateCaseFile } from '../api';
import { checkNumbers, draftOf, toSectionUpdate, type CaseDraft, type SectionName } from '../case-form';
import { sectionFieldNames } from '../field-names';
import { useCaseFileState } from './useCaseFile';

/** Props of {@link EditableSection}. */
export interface EditableSectionProps {
  section: SectionName;
  title: string;
  /** h2 for a section of the file, h3 for one part of the identifying details. */
  level: 2 | 3;
  /** The section as it reads, shown while not editing. */
  view: ReactNode;
  /** The section's fields, for the draft being edited. */
  fields: (draft: CaseDraft, setDraft: (draft: CaseDraft) => void) => ReactNode;
}

const identifying: readonly SectionName[] = ['identity', 'contact', 'documents', 'narrative'];

/**
 * One section of a case file: read, then edited in place. Saving sends the whole section with the version the
 * editor started from; if someone saved the case meanwhile the server answers 409, and the reader is told so
 * and offered to reload — what they typed stays in the form.
 */
export function EditableSection({ section, title, level, view, fields }: EditableSectionProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const state = useCaseFileState();
  const { file } = state;
  const [editing, setEditing] = useState<{ draft: CaseDraft; initial: string; version: number } | null>(null);
  const [conflict, setConflict] = useState(false);
  const [openError, setOpenError] = useState<string | undefined>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const isIdentifying = identifying.includes(section);
  const dirty = editing !== null && JSON.stringify(editing.draft) !== editing.initial;
  const { markDirty } = state;
  useEffect(() => {
    markDirty(`section-${section}`, dirty);
    return () => markDirty(`section-${section}`, false);
  }, [markDirty, section, dirty]);
  const Heading = level === 2 ? 'h2' : 'h3';
  const headingId = `cases-section-${section}`;

  const save = useCaseMutation(
    ({ draft, version }: { draft: CaseDraft; version: number }) =>
      state.stepUp.guard(() => updateCaseFile(state.caseId, toSectionUpdate(section, draft, version))),
    {
      fields: sectionFieldNames(section, editing?.draft ?? { documents: [] }),
      byCode: { conflict: t('cases.file.conflict') },
      onSuccess: async (saved) => {
        setEditing(null);
        setConflict(false);
        await state.apply(saved);
        toast.show(t('cases.file.sectionSaved', { section: title }), { tone: 'success' });
        // The form that had focus is gone: the reader continues from the section's heading.
        requestAnimationFrame(() => headingRef.current?.focus());
      },
    },
  );

  const open = async () => {
    setOpenError(undefined);
    try {
      // Identifying sections are edited from what is stored: the reader must see them first.
      const current = isIdentifying ? await state.ensureRevealed() : file;
      const draft = draftOf(current);
      setEditing({ draft, initial: JSON.stringify(draft), version: current.version });
      setConflict(false);
      save.clear();
    } catch (error) {
      if (!(error instanceof StepUpCancelledError)) setOpenError(messageOf(error, t));
    }
  };

  const submit = () => {
    if (!editing) return;
    const wrong = checkNumbers(editing.draft).filter((name) => name.startsWith(`${section}.`));
    if (wrong.length > 0) {
      save.setErrors({
        fieldErrors: Object.fromEntries(wrong.map((name) => [name, t('cases.errors.wholeNumber')])),
      });
      return;
    }
    save.mutate(
      { draft: editing.draft, version: editing.version },
      {
        onError: (error) => {
          if (error instanceof StepUpCancelledError)
            save.setErrors({ fieldErrors: {}, formError: t('cases.file.stepUpCancelled') });
          if (error instanceof ApiError && error.status === 409) setConflict(true);
        },
      },
    );
  };

  const reload = async () => {
    try {
      const latest = await state.refresh();
      // The reader's typing stays; it will now be saved over the version they have just been shown.
      setEditing((current) => (current ? { ...current, version: latest.version } : current));
      setConflict(false);
      save.setErrors({ fieldErrors: {}, formError: undefined });
      toast.show(t('cases.file.reloaded'), { tone: 'info' });
    } catch (error) {
      save.setErrors({ fieldErrors: {}, formError: messageOf(error, t) });
    }
  };

  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <div className="cases-section__header">
        <Heading id={headingId} ref={headingRef} tabIndex={-1}>
          {title}
        </Heading>
        {file.abilities.update && !editing && (
          <Button variant="secondary" onClick={() => void open()}>
            {t('cases.file.edit')}
            <VisuallyHidden>{` ${title}`}</VisuallyHidden>
          </Button>
        )}
      </div>
      {openError && (
        <p className="field__error" role="alert">
          {openError}
        </p>
      )}
      {editing ? (
        <Form
          errors={save.errors.fieldErrors}
          formError={save.errors.formError}
          onSubmit={submit}
          aria-labelledby={headingId}
        >
          {conflict && (
            <div className="notice orgs-notice--warning" role="alert">
              <p>{t('cases.file.conflictHelp')}</p>
              <Button variant="secondary" onClick={() => void reload()}>
                {t('cases.file.reload')}
              </Button>
            </div>
          )}
          {fields(editing.draft, (draft) =>
            setEditing((current) => (current ? { ...current, draft } : current)),
          )}
          <div className="actions">
            <Button type="submit" busy={save.isPending}>
              {t('cases.file.save', { section: title })}
            </Button>
            <Button
              variant="secondary"
              onClick={() => {
                setEditing(null);
                save.clear();
                requestAnimationFrame(() => headingRef.current?.focus());
              }}
            >
              {t('cases.file.cancel')}
            </Button>
          </div>
          <p className="cases-status" aria-live="polite">
            {save.isPending ? t('cases.file.saving') : ''}
          </p>
        </Form>
      ) : (
        view
      )}
    </section>
  );
}
