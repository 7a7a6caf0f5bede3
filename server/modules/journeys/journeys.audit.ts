/**
 * The audit events of the journeys module. SECURITY: details carry ids, codes and counts — never a place, a
 * note or anything else a contribution says.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'journeys.route_contributed': { source: string; legs: number };
    'journeys.route_updated': { version: number; status: string };
    'journeys.route_deleted': { status: string };
    'journeys.route_decided': { decision: string; from: string; to: string };
    'journeys.moderation_viewed': { status: string; count: number };
    'journeys.aggregates_rebuilt': { flows: number; hotspots: number };
  }
}

export {};
