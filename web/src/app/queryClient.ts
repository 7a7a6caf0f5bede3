import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/problem';

const MAX_QUERY_RETRIES = 4;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Whether a failed query is worth repeating: network failures and server-side or rate-limit errors
 * may pass on the next try; other client errors (400, 403, 404, 422…) will fail the same way again.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_QUERY_RETRIES) return false;
  if (error instanceof ApiError) {
    return error.status === 408 || error.status === 429 || !error.isClientError;
  }
  return true;
}

/** Exponential backoff (1 s, 2 s, 4 s… up to 30 s) with jitter, so many clients do not retry in step. */
export function retryDelay(attemptIndex: number): number {
  const base = Math.min(1000 * 2 ** attemptIndex, MAX_RETRY_DELAY_MS);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** The query client, tuned for slow and unreliable connections. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        // Data rarely changes second to second; refetching on every focus costs bandwidth people pay for.
        staleTime: 60_000,
        gcTime: 30 * 60_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: true,
      },
      mutations: {
        // A write that timed out may still have happened; repeating it blindly could act twice.
        retry: false,
      },
    },
  });
}
