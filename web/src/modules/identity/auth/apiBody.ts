import { ApiError } from '../../../api/problem';

/**
 * unwrap() for calls whose success always carries a body. unwrap's inferred type includes `undefined`
 * (the error branch of openapi-fetch's result has no data); a 2xx without its body is a broken server.
 */
export async function bodyOf<T>(call: Promise<T | undefined>): Promise<T> {
  const value = await call;
  if (value === undefined) throw new ApiError(502, undefined);
  return value;
}
