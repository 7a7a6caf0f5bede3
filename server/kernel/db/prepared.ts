import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Server-side prepared statements for the statements a connection keeps sending, as JDBC does with its
 * `prepareThreshold`: node-postgres sends every parameterised query unnamed, so PostgreSQL parses, rewrites
 * (row-level security included) and plans it again each time. Once a connection has sent the same text
 * `prepareAfterUses` times, it sends it under a name derived from the text: PostgreSQL keeps the parsed statement
 * for the session, and after five executions may keep a generic plan when it costs no more than planning each time.
 *
 * Measured on the `cases` bench data (docs/decisions/0013-prepared-statements.md): the dashboard's transaction
 * took PostgreSQL 5.1 ms unnamed and 1.7 ms prepared.
 *
 * Only statements with parameters are named: they already go through the extended protocol, so naming changes
 * nothing else (a text without parameters may hold several statements, which only the simple protocol runs).
 * A connection names at most `maxPreparedPerConnection` statements, so the server's memory for them stays bounded
 * however many different texts the application builds (an `in ($1, …, $n)` list is a new text for each n).
 */
export const prepareAfterUses = 3;
export const maxPreparedPerConnection = 256;
/** Texts counted per connection before the counts start again (they only decide when to name a text). */
const maxCounted = 4096;

/** The statement name of a text: the same on every connection, distinct for distinct texts (63 bytes at most). */
export function statementName(text: string): string {
  return `cairn_${createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 32)}`;
}

interface QueryConfigLike {
  text?: unknown;
  name?: unknown;
  values?: unknown;
  submit?: unknown;
}

type Query = (config: unknown, ...rest: unknown[]) => unknown;

/** Makes a client name its repeated parameterised statements (see above). Call once, when it connects. */
export function prepareRepeatedStatements(client: pg.Client | pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const uses = new Map<string, number>();
  const named = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    const known = named.get(text);
    if (known !== undefined) return known;
    const count = (uses.get(text) ?? 0) + 1;
    if (count < prepareAfterUses || named.size >= maxPreparedPerConnection) {
      if (uses.size >= maxCounted && !uses.has(text)) uses.clear();
      uses.set(text, count);
      return undefined;
    }
    uses.delete(text);
    const name = statementName(text);
    named.set(text, name);
    return name;
  };
  (client as unknown as { query: Query }).query = (config: unknown, ...rest: unknown[]) => {
    if (typeof config === 'string') {
      // query(text, values, callback?)
      const [values, ...others] = rest;
      if (!Array.isArray(values) || values.length === 0) return query(config, ...rest);
      const chosen = nameOf(config);
      return chosen === undefined
        ? query(config, ...rest)
        : query({ text: config, name: chosen }, values, ...others);
    }
    if (typeof config !== 'object' || config === null) return query(config, ...rest);
    const { text, name, values, submit } = config as QueryConfigLike;
    const parameters = Array.isArray(rest[0]) ? rest[0] : values;
    if (
      typeof submit === 'function' ||
      name !== undefined ||
      typeof text !== 'string' ||
      !Array.isArray(parameters) ||
      parameters.length === 0
    )
      return query(config, ...rest);
    const chosen = nameOf(text);
    return query(chosen === undefined ? config : { ...config, name: chosen }, ...rest);
  };
}
