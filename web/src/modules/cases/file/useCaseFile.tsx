import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { ApiError } from '../../../api/problem';
import { shouldRetry } from '../../../app/queryClient';
import { hasProblemCode } from '../../identity/auth/formErrors';
import { useStepUp, type StepUp } from '../../identity/auth/useStepUp';
import { caseKeys, fetchCaseFile, type CaseFile } from '../api';
import { useLeaveGuard } from '../LeaveGuard';

/** What the parts of a case page share. */
export interface CaseFileState {
  caseId: string;
  /** The case as shown: revealed when the identifying sections have been asked for, else without them. */
  file: CaseFile;
  /** True while the identifying sections are on screen. */
  revealed: boolean;
  /** Loads the identifying sections, asking for a passkey first when the server wants a fresh one. */
  reveal: () => Promise<CaseFile>;
  /** The revealed case, loading it first if needed (entries are edited only from a revealed case). */
  ensureRevealed: () => Promise<CaseFile>;
  /** Takes the identifying sections off the screen (and out of memory). */
  hide: () => void;
  /** After any change: reloads the case (and the lists), keeping it revealed if it was. Returns it. */
  refresh: () => Promise<CaseFile>;
  /** After a change that answered with the case file itself: shows it without asking again. */
  apply: (file: CaseFile) => Promise<void>;
  /** Why the identifying sections were taken off the screen by Cairn rather than by the reader. */
  hiddenBecause: 'stepUpExpired' | null;
  stepUp: StepUp;
  /** A part of the page says whether it holds unsaved changes (one leave warning serves them all). */
  markDirty: (part: string, dirty: boolean) => void;
}

const CaseFileContext = createContext<CaseFileState | null>(null);

/** The case page's shared state; only inside a {@link CaseFileProvider}. */
export function useCaseFileState(): CaseFileState {
  const state = useContext(CaseFileContext);
  if (!state) throw new Error('useCaseFileState must be used inside a CaseFileProvider');
  return state;
}

/** 404 and 403 will not change on a retry: the case does not exist for this reader. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 403);
}

/**
 * Loads a case file without its identifying sections; the query is shared with the rest of the app's cache.
 * Every read of a case is audited on the server, so it is not refetched on every focus.
 */
export function useCaseFileQuery(caseId: string) {
  return useQuery({
    queryKey: caseKeys.file(caseId),
    queryFn: ({ signal }) => fetchCaseFile(caseId, false, signal),
    retry: (count, error) => !isNotFound(error) && shouldRetry(count, error),
  });
}

/**
 * Holds a case page's state. SECURITY: the revealed case (names, documents, the account) lives in this
 * component's state only — never in the query cache, never in browser storage — so it is gone when the page
 * closes, and hiding it drops it at once.
 */
export function CaseFileProvider({
  caseId,
  summary,
  children,
}: {
  caseId: string;
  summary: CaseFile;
  children: ReactNode;
}) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [revealedFile, setRevealedFile] = useState<CaseFile | null>(null);
  const [hiddenBecause, setHiddenBecause] = useState<'stepUpExpired' | null>(null);
  const revealedRef = useRef(false);
  // The router allows one navigation blocker at a time: the page has one, fed by every open editor.
  const [dirtyParts, setDirtyParts] = useState<ReadonlySet<string>>(() => new Set());
  const leaveGuard = useLeaveGuard(dirtyParts.size > 0);
  const markDirty = useCallback((part: string, dirty: boolean) => {
    setDirtyParts((current) => {
      if (current.has(part) === dirty) return current;
      const next = new Set(current);
      if (dirty) next.add(part);
      else next.delete(part);
      return next;
    });
  }, []);
  useEffect(() => {
    revealedRef.current = revealedFile !== null;
  }, [revealedFile]);

  const { guard } = stepUp;
  const reveal = useCallback(async () => {
    const file = await guard(() => fetchCaseFile(caseId, true));
    revealedRef.current = true;
    setHiddenBecause(null);
    setRevealedFile(file);
    return file;
  }, [caseId, guard]);

  const ensureRevealed = useCallback(
    async () => (revealedRef.current && revealedFile ? revealedFile : reveal()),
    [revealedFile, reveal],
  );

  const hide = useCallback(() => {
    revealedRef.current = false;
    setRevealedFile(null);
  }, []);

  const refresh = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: caseKeys.all, refetchType: 'none' });
    const fresh = await queryClient.fetchQuery({
      queryKey: caseKeys.file(caseId),
      queryFn: ({ signal }) => fetchCaseFile(caseId, false, signal),
      staleTime: 0,
    });
    if (!revealedRef.current) return fresh;
    try {
      const file = await fetchCaseFile(caseId, true);
      setRevealedFile(file);
      return file;
    } catch (error) {
      // The passkey check is valid for a few minutes; once it lapses the case is shown without the
      // identifying sections rather than with stale ones, and the reader is told why.
      if (!hasProblemCode(error, 'step_up_required')) throw error;
      revealedRef.current = false;
      setRevealedFile(null);
      setHiddenBecause('stepUpExpired');
      return fresh;
    }
  }, [caseId, queryClient]);

  const apply = useCallback(
    async (file: CaseFile) => {
      if (file.revealed && revealedRef.current) {
        setRevealedFile(file);
        // The shared cache gets a fresh copy without the identifying sections, never this one.
        await queryClient.invalidateQueries({ queryKey: caseKeys.all });
        return;
      }
      await refresh();
    },
    [queryClient, refresh],
  );

  const value = useMemo<CaseFileState>(
    () => ({
      caseId,
      file: revealedFile ?? summary,
      revealed: revealedFile !== null,
      reveal,
      ensureRevealed,
      hide,
      refresh,
      apply,
      hiddenBecause,
      stepUp,
      markDirty,
    }),
    [
      caseId,
      revealedFile,
      summary,
      reveal,
      ensureRevealed,
      hide,
      refresh,
      apply,
      hiddenBecause,
      stepUp,
      markDirty,
    ],
  );

  return (
    <CaseFileContext value={value}>
      {children}
      {stepUp.dialog}
      {leaveGuard.dialog}
    </CaseFileContext>
  );
}
