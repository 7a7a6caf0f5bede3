/**
 * How a route is authorised. Every route must declare one (the app refuses to boot otherwise), so access
 * is deny-by-default. The Identity module extends this with abilities checked by authorize().
 */
export type RoutePolicy = 'public';

export const publicPolicy: RoutePolicy = 'public';
