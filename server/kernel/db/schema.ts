// Every table of Cairn, for drizzle-kit and for Drizzle's typed queries.
// Modules add their `<module>.tables.ts` here in the order of the module graph.
export * from './kernel.tables.js';
