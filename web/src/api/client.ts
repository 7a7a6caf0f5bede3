import createClient, { type Middleware } from 'openapi-fetch';
import { i18n } from '../i18n/i18n';
import { FALLBACK_LANGUAGE } from '../i18n/languages';
import { ApiError, isProblemDetails } from './problem';
import type { paths } from './schema';

// The server localises its messages (problem titles, field errors) from this header.
const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', i18n.resolvedLanguage ?? FALLBACK_LANGUAGE);
    return request;
  },
};

/** The typed client for Cairn's API; paths and bodies come from the generated OpenAPI types. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(acceptLanguage);

/** The result shape openapi-fetch returns for every call. */
type FetchResult<T> =
  { data: T; error?: never; response: Response } | { data?: never; error: unknown; response: Response };

/**
 * Returns the data of a successful call or throws an {@link ApiError} carrying the problem details, so
 * TanStack Query sees failures as errors and the UI can show the server's localised messages.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ApiError(response.status, isProblemDetails(error) ? error : undefined);
}
