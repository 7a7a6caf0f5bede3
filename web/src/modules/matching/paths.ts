/** The addresses of the matching pages. */
export const matchingPaths = {
  inbox: '/matching',
  inboxOf: (status: string) => `/matching?status=${encodeURIComponent(status)}`,
  match: (id: string) => `/matching/matches/${id}`,
  subjects: '/matching/subjects',
  register: '/matching/subjects/new',
  lookup: '/matching/lookup',
  admin: '/matching/admin',
  /** Platform admins: organisations' lookup quotas. */
  quotas: '/matching/quotas',
  /** The other organisation's profile in the directory. */
  organisation: (id: string) => `/directory/organisations/${id}`,
} as const;
