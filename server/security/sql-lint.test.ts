import path from 'node:path';
import { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../paths.js';

/**
 * The lint rule that bans string-built SQL (eslint.config.js, `stringBuiltSql`): it fires on every bad
 * sample and stays quiet on the sanctioned patterns, first with the selectors alone, then through the
 * project's real configuration on a server file.
 */

const bad = {
  'sql.raw with a variable': 'sql.raw(userInput);',
  'sql.raw with an interpolated template': 'sql.raw(`select * from t where name = ${name}`);',
  'sql.raw with concatenation': "sql.raw('select * from t where name = ' + name);",
  'execute with an untagged template': 'await db.execute(`select * from t where id = ${id}`);',
  'transaction execute with an untagged template': 'await tx.execute(`delete from t where id = ${id}`);',
  'pg Pool query with a template': 'await new Pool().query(`select * from t where id = ${id}`);',
  'pg client query with concatenation': "await client.query('select * from t where id = ' + id);",
  'PGlite exec with a template': 'await pglite.exec(`set role ${role}`);',
};

const good = {
  'the sql tag': 'await db.execute(sql`select * from t where id = ${id}`);',
  'sql.identifier for a name': 'await db.execute(sql`select * from ${sql.identifier(table)}`);',
  'sql.raw with a literal': "sql.raw('now()'); sql.raw(`now()`);",
  'a parameterised pg query': "await pool.query('select * from t where id = $1', [id]);",
  'a template without values': 'await client.exec(`reset role`);',
  'a regular expression exec': 'const match = new RegExp(`^${name}$`).exec(text);',
};

/** The selectors exactly as the project configures them. */
async function projectSelectors(): Promise<unknown[]> {
  // A computed path keeps TypeScript from typing the JavaScript config file (it has no declarations).
  const file = path.join(projectRoot, 'eslint.config.js');
  const config = (await import(file)) as { stringBuiltSql: unknown[] };
  return config.stringBuiltSql;
}

describe('the string-built SQL lint rule', () => {
  it('fires on every bad sample and on nothing good (selectors alone)', async () => {
    const linter = new Linter({ configType: 'flat' });
    const config: Linter.Config[] = [
      {
        languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
        rules: { 'no-restricted-syntax': ['error', ...((await projectSelectors()) as [])] },
      },
    ];
    for (const [name, code] of Object.entries(bad)) {
      const messages = linter.verify(`async function f() { ${code} }`, config);
      expect(
        messages.map((m) => m.ruleId),
        name,
      ).toEqual(['no-restricted-syntax']);
    }
    for (const [name, code] of Object.entries(good)) {
      expect(linter.verify(`async function f() { ${code} }`, config), name).toEqual([]);
    }
  });

  it('is switched on for server code by the project configuration', async () => {
    const eslint = new ESLint({ cwd: projectRoot });
    // Linted as if it were this very file, so the real, type-aware configuration of server/ applies.
    const filePath = path.join(projectRoot, 'server/security/sql-lint.test.ts');
    const sample = (code: string) =>
      [
        "import { sql } from 'drizzle-orm';",
        "import type { Db } from '../kernel/db/types.js';",
        'export async function probe(db: Db, id: string): Promise<void> {',
        `  ${code}`,
        '  void sql;',
        '}',
        '',
      ].join('\n');
    const [fired] = await eslint.lintText(sample('await db.execute(`select * from t where id = ${id}`);'), {
      filePath,
    });
    expect(fired!.messages.map((m) => m.ruleId)).toContain('no-restricted-syntax');
    const [quiet] = await eslint.lintText(
      sample('await db.execute(sql`select * from t where id = ${id}`);'),
      {
        filePath,
      },
    );
    expect(quiet!.messages.filter((m) => m.ruleId === 'no-restricted-syntax')).toEqual([]);
  }, 120_000);
});
