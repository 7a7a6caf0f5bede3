import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/problem';
import { formStateOf } from '../identity/organisations/errors';
import {
  invalidFields,
  placeErrors,
  selectorField,
  type SelectorDraft,
  type SelectorFormErrors,
} from './selectors';

const noErrors: SelectorFormErrors = { fieldErrors: {} };

/**
 * A mutation behind a form with a selector editor: its failure is placed beside the fields and selectors
 * it is about (a used-up quota is said plainly), and `check` runs the form's own checks before sending.
 */
export function useSelectorForm<Variables, Result>(
  mutationFn: (variables: Variables) => Promise<Result>,
  options: {
    fields: readonly string[];
    onSuccess?: (result: Result) => void | Promise<void>;
  },
) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<SelectorFormErrors>(noErrors);
  const mutation = useMutation({
    mutationFn,
    onMutate: () => setErrors(noErrors),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 429) {
        const wait = error.problem?.detail ?? error.problem?.title ?? '';
        setErrors({ fieldErrors: {}, formError: `${t('matching.errors.quota')} ${wait}`.trim() });
        return;
      }
      setErrors(placeErrors(error, options.fields) ?? formStateOf(error, t));
    },
    onSuccess: options.onSuccess,
  });

  /** The editor's own checks: required fields and years; true when the selectors may be sent. */
  const checkSelectors = (drafts: readonly SelectorDraft[], into: Record<string, string>) => {
    drafts.forEach((draft, index) => {
      for (const name of invalidFields(draft)) {
        const year = name === 'birthYear';
        into[`${selectorField(index)}.${name}`] = t(
          year ? 'matching.errors.year' : 'matching.errors.required',
          { field: t(`matching.selectors.fields.${draft.type}.${name}`), n: index + 1 },
        );
      }
    });
  };

  return { ...mutation, errors, setErrors, checkSelectors };
}
