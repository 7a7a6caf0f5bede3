/** The addresses of the case pages; the server's emails link to `file` and `history`. */
export const casePaths = {
  dashboard: '/cases',
  list: '/cases/list',
  intake: '/cases/new',
  statistics: '/cases/statistics',
  file: (caseId: string) => `/cases/${caseId}`,
  history: (caseId: string) => `/cases/${caseId}/history`,
} as const;
