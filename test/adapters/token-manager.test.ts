import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { StoredTokenPair, TokenStore } from '../../src/app/stores.js';
import { tokenFingerprint, ZaloNeedsConsent, ZaloTokenManager } from '../../src/adapters/zalo/token-manager.js';
import { ZaloApiError } from '../../src/adapters/zalo/zalo-client.js';

const NOW = DateTime.fromMillis(Date.UTC(2027, 9, 22, 1, 0), { zone: 'utc' });

function setup(issuedHoursAgo: number | null, refresh: (rt: string) => Promise<{ accessToken: string; refreshToken: string; expiresInSeconds: number }>) {
  let stored: StoredTokenPair | undefined =
    issuedHoursAgo === null
      ? undefined
      : {
          appId: 'app',
          accessToken: 'at-old',
          refreshToken: 'rt-old',
          accessIssuedAt: NOW.minus({ hours: issuedHoursAgo }),
          accessExpiresAt: null,
          refreshExpiresAt: null,
          seededFrom: tokenFingerprint('rt-initial'),
          status: 'ok',
          statusReason: null,
          refreshCount: 3,
        };
  const calls: string[] = [];
  const clock = { at: NOW };
  let reads = 0;
  const store: TokenStore = {
    readToken: async () => {
      reads++;
      return stored;
    },
    writeToken: async (p) => void (stored = p),
    recordQuota: async () => undefined,
  };
  const tokens = new ZaloTokenManager({
    appId: 'app',
    initialRefreshToken: 'rt-initial',
    store,
    lock: { withLock: (_n, _o, work) => work() },
    refresh: async (rt) => {
      calls.push(rt);
      return refresh(rt);
    },
    clock: { now: () => clock.at },
  });
  return {
    tokens,
    calls,
    clock,
    stored: () => stored,
    reads: () => reads,
    /** Another worker writes a pair straight to the store. */
    setStored: (p: StoredTokenPair) => void (stored = p),
  };
}

const rotate = async () => ({ accessToken: 'at-new', refreshToken: 'rt-new', expiresInSeconds: 90000 });

describe('the Zalo token pair', () => {
  it.each([
    [1, 'at-old', []],
    [19.9, 'at-old', []],
    [20.1, 'at-new', ['rt-old']],
    [30, 'at-new', ['rt-old']],
  ] as const)('issued %s h ago: access token %s, refresh calls %j', async (hours, token, calls) => {
    const t = setup(hours, rotate);
    expect(await t.tokens.accessToken()).toBe(token);
    expect(t.calls).toEqual(calls);
  });

  it('is seeded from the configured refresh token the first time, and the new pair is stored before use', async () => {
    const t = setup(null, rotate);
    expect(await t.tokens.accessToken()).toBe('at-new');
    expect(t.calls).toEqual(['rt-initial']);
    expect(t.stored()).toMatchObject({ accessToken: 'at-new', refreshToken: 'rt-new', refreshCount: 1, status: 'ok' });
  });

  it('does not call Zalo when another worker already replaced the rejected token', async () => {
    const t = setup(1, rotate);
    expect(await t.tokens.refresh('at-someone-elses-old', 'rejected')).toBe('at-old');
    expect(t.calls).toEqual([]);
  });

  it('a refused refresh marks the OA as needing consent, and later calls do not try again', async () => {
    const t = setup(30, async () => {
      throw new ZaloApiError(-14014, 'invalid_grant', 'oauth', {});
    });
    await expect(t.tokens.accessToken()).rejects.toBeInstanceOf(ZaloNeedsConsent);
    await expect(t.tokens.accessToken()).rejects.toBeInstanceOf(ZaloNeedsConsent);
    expect(t.calls).toEqual(['rt-old']);
    expect(t.stored()?.status).toBe('needs_consent');
  });

  it('is kept in memory: sends within a minute of the last read do not read the store again', async () => {
    const t = setup(1, rotate);
    expect(await t.tokens.accessToken()).toBe('at-old');
    expect(await t.tokens.accessToken()).toBe('at-old');
    t.clock.at = NOW.plus({ seconds: 59 });
    expect(await t.tokens.accessToken()).toBe('at-old');
    expect(t.reads()).toBe(1);
    // After the cache's minute the store is read again, and what another worker wrote is seen.
    t.setStored({ ...t.stored()!, accessToken: 'at-other-worker', accessIssuedAt: NOW });
    t.clock.at = NOW.plus({ seconds: 61 });
    expect(await t.tokens.accessToken()).toBe('at-other-worker');
    expect(t.reads()).toBe(2);
  });

  it('a cached token Zalo rejects is refreshed from the store, and the new one is then used from memory', async () => {
    const t = setup(1, rotate);
    expect(await t.tokens.accessToken()).toBe('at-old');
    // Zalo refuses at-old (expired early or revoked): nothing else rotated it, so we refresh.
    expect(await t.tokens.refresh('at-old', 'rejected')).toBe('at-new');
    expect(t.calls).toEqual(['rt-old']);
    const reads = t.reads();
    expect(await t.tokens.accessToken()).toBe('at-new');
    expect(t.reads()).toBe(reads);
  });

  it('a rejected cached token that another worker already replaced is swapped for its token without calling Zalo', async () => {
    const t = setup(1, rotate);
    expect(await t.tokens.accessToken()).toBe('at-old');
    t.setStored({ ...t.stored()!, accessToken: 'at-other-worker', refreshToken: 'rt-other', accessIssuedAt: NOW });
    // The cache still holds at-old: the rejection makes it read the store again.
    expect(await t.tokens.accessToken()).toBe('at-old');
    expect(await t.tokens.refresh('at-old', 'rejected')).toBe('at-other-worker');
    expect(t.calls).toEqual([]);
    expect(await t.tokens.accessToken()).toBe('at-other-worker');
  });

  it('a needs-consent mark written by another worker stops this one once its cache runs out (or at its next rejection)', async () => {
    const t = setup(1, rotate);
    expect(await t.tokens.accessToken()).toBe('at-old');
    t.setStored({ ...t.stored()!, status: 'needs_consent', statusReason: 'refused' });
    await expect(t.tokens.refresh('at-old', 'rejected')).rejects.toBeInstanceOf(ZaloNeedsConsent);
    await expect(t.tokens.accessToken()).rejects.toBeInstanceOf(ZaloNeedsConsent);
    expect(t.calls).toEqual([]);
  });
});
