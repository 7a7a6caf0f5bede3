/** The addresses of the referral pages; the server's thread subjects and emails link to `referral`, `transfer`, `thread`. */
export const referralPaths = {
  list: '/referrals',
  box: (box: 'sent' | 'received', kind: 'referrals' | 'transfers' = 'referrals') =>
    kind === 'referrals' ? `/referrals?box=${box}` : `/referrals?box=${box}&kind=transfers`,
  statistics: '/referrals/statistics',
  platformStatistics: '/referrals/platform-statistics',
  newReferral: (caseId: string) => `/referrals/new?caseId=${encodeURIComponent(caseId)}`,
  fromSupportRequest: (supportRequestId: string) =>
    `/referrals/new?supportRequestId=${encodeURIComponent(supportRequestId)}`,
  referral: (id: string) => `/referrals/${id}`,
  editReferral: (id: string) => `/referrals/${id}/edit`,
  newTransfer: (caseId: string) => `/transfers/new?caseId=${encodeURIComponent(caseId)}`,
  transfer: (id: string) => `/transfers/${id}`,
  thread: (id: string) => `/threads/${id}`,
} as const;
