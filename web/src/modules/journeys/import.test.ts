import { describe, expect, it } from 'vitest';
import { MAX_CSV_BYTES, MAX_XLSX_BYTES, importMediaTypeOf, isRunning, isTooLarge } from './import';

describe('route imports in the browser', () => {
  it('send the media type of the file’s kind, and refuse other kinds before uploading', () => {
    expect(importMediaTypeOf('Routes 2024.CSV')).toBe('text/csv');
    expect(importMediaTypeOf('routes.xlsx')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(importMediaTypeOf('routes.xls')).toBeNull();
    expect(importMediaTypeOf('routes.csv.exe')).toBeNull();
  });

  it('hold each kind to the server’s limit', () => {
    expect(isTooLarge({ name: 'a.csv', size: MAX_CSV_BYTES })).toBe(false);
    expect(isTooLarge({ name: 'a.csv', size: MAX_CSV_BYTES + 1 })).toBe(true);
    expect(isTooLarge({ name: 'a.xlsx', size: MAX_XLSX_BYTES + 1 })).toBe(true);
    expect(isTooLarge({ name: 'a.xlsx', size: MAX_XLSX_BYTES })).toBe(false);
  });

  it('keep polling only while the server works on the import', () => {
    expect(['uploading', 'checking', 'committing'].every((s) => isRunning(s as never))).toBe(true);
    expect(['checked', 'committed', 'failed'].some((s) => isRunning(s as never))).toBe(false);
  });
});
