// Every table of Cairn, for drizzle-kit (drizzle.config.ts). The app's queries import tables directly; the
// kernel never imports this file, so it stays free of any module.
export * from './kernel/db/kernel.tables.js';
export * from './modules/identity/identity.tables.js';
export * from './modules/directory/directory.tables.js';
export * from './modules/cases/cases.tables.js';
export * from './modules/cases/cases.attachments.tables.js';
export * from './modules/cases/cases.exports.tables.js';
export * from './modules/referrals/referrals.tables.js';
export * from './modules/journeys/journeys.tables.js';
export * from './modules/matching/matching.tables.js';
