import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRows, maxCsvBytes } from '../../server/modules/journeys/journeys.import.files.js';
import { checkRow } from '../../server/modules/journeys/journeys.import.rows.js';
import { routeInputSchema, type RouteInput } from '../../server/modules/journeys/journeys.schemas.js';
import { meetsTarget } from '../lib/results.js';
import {
  importCountryForms,
  journeyImportRowsByPreset,
  trackerImportChunks,
  trackerImportHeader,
  trackerImportMapping,
  writeTrackerImportFile,
} from '../scale/journeys-import.js';
import { presets } from '../scale/presets.js';
import {
  importBudgetRows,
  journeysImportRows,
  rssGrowthBoundMb,
  type JourneysImportMeasurements,
} from './journeys-import.js';

const text = (seed: number, rows: number, chunkBytes?: number) =>
  [...trackerImportChunks(seed, rows, chunkBytes)].join('');

/** The file's rows as the importer reads them (its own CSV reader), header first. */
async function parsed(file: string): Promise<string[][]> {
  async function* pieces() {
    // Pieces that cut lines (and characters) anywhere, as the stored 1 MiB pieces do.
    const bytes = Buffer.from(file, 'utf8');
    for (let at = 0; at < bytes.length; at += 4099) yield bytes.subarray(at, at + 4099);
  }
  const rows: string[][] = [];
  for await (const cells of csvRows(pieces())) rows.push(cells);
  return rows;
}

describe('journeys-import: the generated Victim Journey Tracker file', () => {
  it('has the rows the presets ask for, the issue’s million in the large one', () => {
    expect(journeyImportRowsByPreset.large).toBe(1_000_000);
    expect(journeyImportRowsByPreset.large).toBe(importBudgetRows);
    expect(journeyImportRowsByPreset.small).toBe(20_000);
    for (const name of Object.keys(presets)) expect(journeyImportRowsByPreset).toHaveProperty(name);
  });

  it('is read by the importer’s own CSV reader and row check: every row valid, as the form would take it', async () => {
    const rows = await parsed(text(7, 400));
    expect(rows[0]).toEqual([...trackerImportHeader]);
    const mapping = trackerImportMapping();
    // Every column recognised by its header (no mapping needed).
    expect(mapping).not.toContain(null);
    expect(rows).toHaveLength(401);
    const routes: RouteInput[] = [];
    for (const [index, cells] of rows.slice(1).entries()) {
      expect(cells).toHaveLength(trackerImportHeader.length);
      const { route, issues } = checkRow('tracker', index + 2, cells, mapping);
      expect(issues, cells.join(' | ')).toEqual([]);
      expect(route).not.toBeNull();
      expect(routeInputSchema.safeParse(route).success, cells.join(' | ')).toBe(true);
      routes.push(route!);
    }
    // Variety: cities and countries alone, several countries, transit points, types, periods, bands, counts.
    const origins = routes.map((r) => r.origin);
    expect(origins.some((o) => o.placeId !== undefined)).toBe(true);
    expect(origins.some((o) => o.placeId === undefined)).toBe(true);
    expect(new Set(origins.map((o) => o.country)).size).toBeGreaterThan(20);
    expect(new Set(routes.map((r) => r.transits.length))).toEqual(new Set([0, 1, 2, 3]));
    expect(routes.some((r) => r.destination !== undefined)).toBe(true);
    expect(routes.some((r) => r.exploitation.length === 2)).toBe(true);
    expect(routes.some((r) => r.exploitationTypes.length === 2)).toBe(true);
    expect(new Set(routes.flatMap((r) => r.exploitationTypes)).size).toBeGreaterThanOrEqual(6);
    expect(routes.some((r) => r.quarter !== undefined) && routes.some((r) => r.quarter === undefined)).toBe(
      true,
    );
    expect(new Set(routes.map((r) => r.year)).size).toBe(11);
    expect(Math.max(...routes.map((r) => r.people))).toBeGreaterThan(40);
    expect(new Set(routes.map((r) => r.genderBand))).toEqual(new Set(['female', 'male', 'mixed', 'unknown']));
    expect(new Set(routes.map((r) => r.nationalityBand)).size).toBeGreaterThanOrEqual(4);
    // Quoted cells (`City, Country`) are in the file.
    expect(text(7, 400)).toMatch(/,"[^",]+, [^",]+"/);
  });

  it('resolves most of its hub cities and a dozen other places in every country', () => {
    const forms = importCountryForms();
    expect(forms).toHaveLength(48);
    for (const country of forms) {
      expect(country.hubs.length, country.code).toBeGreaterThanOrEqual(1);
      expect(country.others.length, country.code).toBe(12);
      expect(country.names.length, country.code).toBeGreaterThanOrEqual(2);
    }
    expect(forms.reduce((n, c) => n + c.hubs.length, 0)).toBeGreaterThanOrEqual(130);
  });

  it('is the same for the same seed, whatever the chunking, and different for another', () => {
    const a = text(3, 300);
    expect(text(3, 300, 1)).toBe(a);
    expect(text(3, 300, 10_000_000)).toBe(a);
    expect(text(4, 300)).not.toBe(a);
    // The first rows do not depend on how many follow.
    expect(text(3, 600).startsWith(a)).toBe(true);
  });

  it('fits a million rows in one upload (under maxCsvBytes, with room to spare)', () => {
    const rows = 5_000;
    const bytes = Buffer.byteLength(text(1, rows), 'utf8');
    const perRow = bytes / rows;
    expect(perRow).toBeGreaterThan(60);
    // ≤ 95 bytes a row keeps 1M rows ~5 % under the limit of 100,663,296 bytes.
    expect(perRow).toBeLessThan(95);
    expect(perRow * importBudgetRows).toBeLessThan(maxCsvBytes);
  });

  it('is written to a file as it is generated, byte for byte the chunks', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'journeys-import-test-'));
    try {
      const file = await writeTrackerImportFile(path.join(dir, 'routes.csv'), 5, 1_000);
      const written = await readFile(file.path);
      expect(file.rows).toBe(1_000);
      expect(written.length).toBe(file.bytes);
      expect(written.toString('utf8')).toBe(text(5, 1_000));
      expect(written.toString('utf8').split('\n')).toHaveLength(1_002);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('journeys-import: rows', () => {
  const measured = (overrides: Partial<JourneysImportMeasurements> = {}): JourneysImportMeasurements => ({
    rows: 1_000_000,
    bytes: 88_000_000,
    run: {
      uploadSeconds: 20,
      dryRunSeconds: 30,
      commitSeconds: 50,
      checkedRows: 1_000_000,
      dryRunIssues: 0,
      problem: null,
    },
    idleRssMb: 150,
    peakRssMb: 250,
    created: 1_000_000,
    ...overrides,
  });
  const row = (rows: ReturnType<typeof journeysImportRows>, metric: string) => {
    const found = rows.find((r) => r.metric === metric);
    if (!found) throw new Error(`no row ${metric}`);
    return found;
  };

  it('reports the times, the memory and the routes created, with the budget at a million rows', () => {
    const rows = journeysImportRows(measured());
    expect(rows.map((r) => r.metric)).toEqual([
      'journeys_import_rows',
      'journeys_import_file_mb',
      'journeys_import_bytes_per_row',
      'journeys_import_upload_s',
      'journeys_import_dry_run_s',
      'journeys_import_commit_s',
      'journeys_import_total_s',
      'journeys_import_rows_per_s',
      'journeys_import_dry_run_issues',
      'journeys_import_created',
      'journeys_import_idle_rss_mb',
      'journeys_import_peak_rss_mb',
      'journeys_import_rss_growth_mb',
    ]);
    expect(row(rows, 'journeys_import_total_s')).toMatchObject({ value: 80, target: '<= 90' });
    expect(row(rows, 'journeys_import_rows_per_s').value).toBe(12_500);
    expect(row(rows, 'journeys_import_bytes_per_row').value).toBe(88);
    expect(row(rows, 'journeys_import_rss_growth_mb')).toMatchObject({
      value: 100,
      target: `<= ${rssGrowthBoundMb}`,
    });
    expect(rows.every((r) => meetsTarget(r) !== false)).toBe(true);
    // Too slow, or memory growing with the file: missed.
    const slow = journeysImportRows(measured({ run: { ...measured().run, commitSeconds: 70 } }));
    expect(meetsTarget(row(slow, 'journeys_import_total_s'))).toBe(false);
    const loaded = journeysImportRows(measured({ peakRssMb: 150 + 800 }));
    expect(meetsTarget(row(loaded, 'journeys_import_rss_growth_mb'))).toBe(false);
  });

  it('leaves the time untargeted below a million rows', () => {
    const rows = journeysImportRows(measured({ rows: 20_000, created: 20_000, bytes: 1_760_000 }));
    expect(row(rows, 'journeys_import_total_s').target).toBeNull();
    expect(row(rows, 'journeys_import_created').target).toBe('== 20000');
    expect(row(rows, 'journeys_import_rss_growth_mb').target).toBe(`<= ${rssGrowthBoundMb}`);
  });

  it('fails an import that did not complete', () => {
    const refused = journeysImportRows(
      measured({
        run: {
          uploadSeconds: 0.2,
          dryRunSeconds: null,
          commitSeconds: null,
          checkedRows: 0,
          dryRunIssues: null,
          problem: 'upload answered 400 (validation_failed)',
        },
        created: 0,
      }),
    );
    expect(meetsTarget(row(refused, 'journeys_import_created'))).toBe(false);
    expect(meetsTarget(row(refused, 'journeys_import_dry_run_issues'))).toBe(false);
    expect(row(refused, 'journeys_import_rows_per_s').value).toBe(0);
  });
});
