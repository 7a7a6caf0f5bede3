/** The addresses of the journey pages (the server's query emails link to `contributions`). */
export const journeyPaths = {
  publicMap: '/journeys',
  memberMap: '/journeys/members',
  contribute: '/journeys/contribute',
  contributions: '/journeys/contributions',
  import: '/journeys/import',
  edit: (id: string) => `/journeys/contributions/${id}/edit`,
  moderation: '/journeys/moderation',
} as const;
