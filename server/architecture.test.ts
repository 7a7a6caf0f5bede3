import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './paths.js';

interface Rule {
  name: string;
  comment?: string;
}

describe('docs/ARCHITECTURE.md', () => {
  it('shows the same module graph as the dependency-cruiser rules', () => {
    const require = createRequire(import.meta.url);
    const config = require(path.join(projectRoot, '.dependency-cruiser.cjs')) as { forbidden: Rule[] };
    const fromRules = Object.fromEntries(
      config.forbidden
        .filter((rule) => rule.name.startsWith('module-graph-'))
        .map((rule) => {
          const allowed = /may import only: (.*) \(/.exec(rule.comment ?? '')?.[1] ?? '';
          return [rule.name.slice('module-graph-'.length), allowed === 'no other module' ? '—' : allowed];
        }),
    );
    const doc = readFileSync(path.join(projectRoot, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const table = doc.split('## Module graph')[1]?.split('\n## ')[0] ?? '';
    const fromDoc: Record<string, string> = {};
    for (const match of table.matchAll(/^\| ([a-z-]+) \| (.+) \|$/gm)) {
      if (match[1] !== 'module') fromDoc[match[1]!] = match[2]!;
    }
    expect(Object.keys(fromRules).length).toBeGreaterThan(5);
    expect(fromDoc).toEqual(fromRules);
  });

  it('names every kernel folder and module that exists', () => {
    const doc = readFileSync(path.join(projectRoot, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const kernel = readdirSync(path.join(projectRoot, 'server', 'kernel'), { withFileTypes: true });
    const folders = kernel.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.length).toBeGreaterThan(5);
    for (const folder of folders) expect(doc, folder).toContain(`    ${folder}/`);
    const modules = readdirSync(path.join(projectRoot, 'server', 'modules'), { withFileTypes: true });
    for (const module of modules.filter((entry) => entry.isDirectory())) {
      expect(doc, module.name).toContain(`    ${module.name}/`);
    }
  });
});
