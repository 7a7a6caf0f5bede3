import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  formStateOf,
  noFormErrors,
  type FormErrorOptions,
  type FormState,
} from '../identity/organisations/errors';

/**
 * The identity module's useFormMutation, for case forms. SECURITY: a case form's variables and answers hold
 * names, documents and notes, and TanStack Query keeps a finished mutation in memory for minutes after its
 * form is gone (and after a sign-out, which clears queries only). `gcTime: 0` drops it as soon as nothing on
 * screen uses it.
 *
 * `networkMode: 'always'`: offline, TanStack Query would hold the write and send it by itself once the
 * connection is back — possibly after the caseworker has walked away from a shared computer. A case write
 * happens when its button is pressed or not at all: offline it fails at once, the form says so and keeps
 * everything typed, and pressing the button again retries (with the same idempotency key where there is one).
 */
export function useCaseMutation<Variables, Result>(
  mutationFn: (variables: Variables) => Promise<Result>,
  options: FormErrorOptions & {
    onSuccess?: (result: Result, variables: Variables) => void | Promise<void>;
  } = {},
) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormState>(noFormErrors);
  const mutation = useMutation({
    mutationFn,
    gcTime: 0,
    networkMode: 'always',
    onMutate: () => setErrors(noFormErrors),
    onError: (error) => setErrors(formStateOf(error, t, options)),
    onSuccess: options.onSuccess,
  });
  const clear = () => {
    mutation.reset();
    setErrors(noFormErrors);
  };
  return { ...mutation, errors, setErrors, clear };
}
