import { createHash } from 'node:crypto';
import { Duration, type DateTime } from 'luxon';
import { PermanentError, RetryableError } from '../../app/errors.js';
import type { Clock, Logger } from '../../app/ports.js';
import type { StoredTokenPair, TokenStore } from '../../app/stores.js';
import type { RedisLock } from '../redis/redis-lock.js';
import { ZaloApiError, type TokenPair } from './zalo-client.js';

/** The OA needs an admin to consent again in a browser: no worker tries the refresh token again. */
export class ZaloNeedsConsent extends PermanentError {
  constructor(reason: string) {
    super(`Zalo OA cần cấp quyền lại (re-consent): ${reason}`, 'zalo_needs_consent');
  }
}

export interface TokenManagerOptions {
  readonly appId: string;
  /** ZALO_REFRESH_TOKEN: seeds the record once; later pairs live only in the database. */
  readonly initialRefreshToken: string;
  readonly store: TokenStore;
  readonly lock: Pick<RedisLock, 'withLock'>;
  readonly refresh: (refreshToken: string) => Promise<TokenPair>;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Refresh ahead of the 25 h lifetime (default 20 h). */
  readonly refreshAfter?: Duration;
  /** The OAuth call's timeout: the lock outlives it (CBX-1019: a shorter lock let two jobs spend one token). */
  readonly httpTimeoutMs?: number;
  /**
   * How long this process uses the pair it last read or wrote without reading it again (default
   * 60 s). A token Zalo rejects is re-read at once (`refresh`), so this only bounds how late a
   * worker notices what another one did without being rejected (a needs-consent mark).
   */
  readonly cacheForMs?: number;
}

const REFRESH_TOKEN_LIFETIME = Duration.fromObject({ months: 3 });
/** How a stored pair names the configured refresh token it descends from (never the token itself). */
export const tokenFingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

/**
 * The Zalo OA access token, shared by every worker on every machine. The refresh token works
 * once, so a refresh is single-flight (a Redis lock), re-reads the record after taking the lock
 * (another worker may have rotated already), and writes the new pair before using it. A refresh
 * that fails is never retried in a loop: the OA is marked as needing consent and channels fall back.
 */
export class ZaloTokenManager {
  private readonly refreshAfter: Duration;
  private readonly lockTtlMs: number;
  private readonly cacheForMs: number;
  /** The pair as last read or written by this process, and until when (clock ms) it is used unread. */
  private cached: { readonly pair: StoredTokenPair; readonly until: number } | undefined;

  constructor(private readonly o: TokenManagerOptions) {
    this.refreshAfter = o.refreshAfter ?? Duration.fromObject({ hours: 20 });
    this.lockTtlMs = (o.httpTimeoutMs ?? 15_000) * 2 + 5_000;
    this.cacheForMs = o.cacheForMs ?? 60_000;
  }

  /** A usable access token: the stored one while it is younger than `refreshAfter`, else a fresh one. */
  async accessToken(): Promise<string> {
    const pair = await this.current();
    if (pair.accessToken && pair.accessIssuedAt && this.o.clock.now().diff(pair.accessIssuedAt) < this.refreshAfter) return pair.accessToken;
    return this.refresh(pair.accessToken, 'proactive');
  }

  /**
   * A new access token after Zalo refused `stale` (-216/-220/-124), or proactively. If another
   * worker has already replaced `stale`, its token is returned and Zalo is not called.
   */
  async refresh(stale: string | null, reason: 'proactive' | 'rejected'): Promise<string> {
    return this.o.lock.withLock(`zalo-token:${this.o.appId}`, { ttlMs: this.lockTtlMs, waitMs: this.lockTtlMs + 5_000 }, async () => {
      // Read again under the lock, never from the cache: another worker may have rotated already.
      const pair = await this.current(true);
      const now = this.o.clock.now();
      const fresh = pair.accessToken && pair.accessIssuedAt && now.diff(pair.accessIssuedAt) < this.refreshAfter;
      if (pair.accessToken && pair.accessToken !== stale && fresh) return pair.accessToken;
      let next: TokenPair;
      try {
        next = await this.o.refresh(pair.refreshToken);
      } catch (e) {
        if (e instanceof ZaloApiError) {
          // The refresh token was refused: trying it again cannot help and may burn a good one.
          const why = `làm mới token bị từ chối (${e.code}: ${e.message})`;
          const marked: StoredTokenPair = { ...pair, status: 'needs_consent', statusReason: why };
          await this.o.store.writeToken(marked, now);
          this.remember(marked);
          this.o.logger?.error({ alert: true, appId: this.o.appId, code: e.code }, `ALERT: Zalo OA needs re-consent: ${why}`);
          throw new ZaloNeedsConsent(why);
        }
        throw new RetryableError(`không gọi được máy chủ OAuth của Zalo: ${(e as Error).message}`, 'zalo_oauth_unreachable', { cause: e, maxAttempts: 3 });
      }
      const written: StoredTokenPair = {
        ...pair,
        accessToken: next.accessToken,
        refreshToken: next.refreshToken,
        accessIssuedAt: now,
        accessExpiresAt: now.plus({ seconds: next.expiresInSeconds }),
        refreshExpiresAt: now.plus(REFRESH_TOKEN_LIFETIME),
        status: 'ok',
        statusReason: null,
        refreshCount: pair.refreshCount + 1,
      };
      // Written before it is used: losing the new refresh token means an admin must consent again.
      await this.o.store.writeToken(written, now);
      this.remember(written);
      this.o.logger?.info({ appId: this.o.appId, reason, refreshCount: written.refreshCount }, 'Zalo access token refreshed');
      return next.accessToken;
    });
  }

  /** Whether the OA currently needs an admin (channels then fall back without calling Zalo). */
  async needsConsent(): Promise<boolean> {
    const pair = await this.o.store.readToken(this.o.appId);
    return pair?.status === 'needs_consent' && pair.seededFrom === tokenFingerprint(this.o.initialRefreshToken);
  }

  /** Forgets the cached pair: the next call reads it from the store again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private remember(pair: StoredTokenPair): void {
    this.cached = { pair, until: this.o.clock.now().toMillis() + this.cacheForMs };
  }

  /**
   * The stored pair, seeded from the configured refresh token the first time (or when an admin
   * sets a new one). Served from memory for `cacheForMs` after it was last read or written, unless
   * `reread` (a refresh decides on what the store holds now).
   */
  private async current(reread = false): Promise<StoredTokenPair> {
    const cached = this.cached;
    if (!reread && cached && this.o.clock.now().toMillis() < cached.until) {
      if (cached.pair.status === 'needs_consent') throw new ZaloNeedsConsent(cached.pair.statusReason ?? 'đã bị đánh dấu');
      return cached.pair;
    }
    const seed = tokenFingerprint(this.o.initialRefreshToken);
    let pair = await this.o.store.readToken(this.o.appId);
    if (!pair || pair.seededFrom !== seed) {
      pair = await this.o.lock.withLock(`zalo-token:${this.o.appId}`, { ttlMs: this.lockTtlMs, waitMs: this.lockTtlMs + 5_000 }, async () => {
        const again = await this.o.store.readToken(this.o.appId);
        if (again && again.seededFrom === seed) return again;
        const seeded: StoredTokenPair = {
          appId: this.o.appId,
          accessToken: null,
          refreshToken: this.o.initialRefreshToken,
          accessIssuedAt: null,
          accessExpiresAt: null,
          refreshExpiresAt: null,
          seededFrom: seed,
          status: 'ok',
          statusReason: null,
          refreshCount: again?.refreshCount ?? 0,
        };
        await this.o.store.writeToken(seeded, this.o.clock.now());
        this.o.logger?.info({ appId: this.o.appId }, again ? 'a new ZALO_REFRESH_TOKEN was configured: the stored pair is replaced' : 'Zalo token pair seeded from ZALO_REFRESH_TOKEN');
        return seeded;
      });
    }
    this.remember(pair);
    if (pair.status === 'needs_consent') throw new ZaloNeedsConsent(pair.statusReason ?? 'đã bị đánh dấu');
    return pair;
  }
}

export type { DateTime };
