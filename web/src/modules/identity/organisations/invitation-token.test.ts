import { describe, expect, it, vi } from 'vitest';
import { removeHashFromAddress } from './invitation-token';

const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';

describe('removeHashFromAddress', () => {
  it('replaces the entry without the fragment and keeps the history state', () => {
    const replaceState = vi.fn();
    const history = { state: { idx: 3 }, replaceState } as unknown as History;
    removeHashFromAddress(
      { pathname: '/invitations/accept', search: '?a=1', hash: `#token=${token}` },
      history,
    );
    expect(replaceState).toHaveBeenCalledWith({ idx: 3 }, '', '/invitations/accept?a=1');
  });

  it('does nothing when there is no fragment', () => {
    const replaceState = vi.fn();
    const history = { state: null, replaceState } as unknown as History;
    removeHashFromAddress({ pathname: '/x', search: '', hash: '' }, history);
    expect(replaceState).not.toHaveBeenCalled();
  });
});
