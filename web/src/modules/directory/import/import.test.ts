import { describe, expect, it } from 'vitest';
import { mappingParam } from '../../../ui/ColumnMapping';
import { exportHref, mediaTypeOf } from './fields';

describe('import and export helpers', () => {
  it('sends files by their extension, whatever the browser guesses', () => {
    expect(mediaTypeOf('Network list.CSV')).toBe('text/csv');
    expect(mediaTypeOf('orgs.xlsx')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(mediaTypeOf('orgs.xls')).toBeNull();
    expect(mediaTypeOf('csv')).toBeNull();
  });

  it('writes the mapping one entry per column, empty for ignored columns', () => {
    expect(mappingParam(['name', null, 'countries', null])).toBe('name,,countries,');
  });

  it('keeps only the search filters in export links', () => {
    const params = new URLSearchParams(
      'q=legal&service=shelter&service=legal_aid&page=3&sort=distance&near=1,2',
    );
    expect(exportHref(params, 'htcds')).toBe(
      '/api/directory/export?q=legal&service=shelter&service=legal_aid&format=htcds',
    );
    expect(exportHref(new URLSearchParams(), 'csv')).toBe('/api/directory/export?format=csv');
  });
});
