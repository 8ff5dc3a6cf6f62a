import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { DateTime } from 'luxon';
import { can, type Action, type Principal, type Role } from '../domain/access.js';
import type { Clock } from './ports.js';

/**
 * Authentication and authorization for the HTTP side: machine tokens (stored as SHA-256, shown
 * once), console users (scrypt password hashes), sessions (the cookie holds a random id; the
 * record keeps its SHA-256 and the CSRF token), and the role rules of src/domain/access.ts.
 */
export interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly unitId: string | null;
  readonly disabled: boolean;
}

export interface ApiTokenRow {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly unitId: string | null;
  readonly createdBy: string;
  readonly createdAt: DateTime;
  readonly revokedAt: DateTime | null;
}

export interface AccessStore {
  createUser(input: { username: string; displayName: string; passwordHash: string; role: Role; unitId: string | null }, now: DateTime): Promise<UserRow | undefined>;
  userByUsername(username: string): Promise<UserRow | undefined>;
  createApiToken(input: { name: string; tokenHash: string; role: Role; unitId: string | null; createdBy: string }, now: DateTime): Promise<ApiTokenRow>;
  apiTokenByHash(hash: string): Promise<ApiTokenRow | undefined>;
  apiTokens(): Promise<ApiTokenRow[]>;
  revokeApiToken(id: number, now: DateTime): Promise<boolean>;
  createSession(input: { idHash: string; userId: number; csrfToken: string; expiresAt: DateTime }, now: DateTime): Promise<void>;
  sessionByHash(idHash: string, now: DateTime): Promise<{ user: UserRow; csrfToken: string } | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** The unit's ancestors, nearest first; undefined if there is no such live unit. */
  unitAncestors(unitId: string): Promise<string[] | undefined>;
}

export class AccessError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

// ── passwords ─────────────────────────────────────────────────────────────

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, keylen, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** "scrypt$N$r$p$salt$hash", base64url; the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < 10) throw new AccessError(400, 'mật khẩu cần ít nhất 10 ký tự');
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// ── login rate limit ──────────────────────────────────────────────────────

/**
 * At most `max` failed logins per username and per address within `windowMinutes`; then
 * refused until the window passes. Kept in the process (one API process per deployment for
 * now); a success clears the username's count.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max = 5,
    private readonly windowMinutes = 15,
  ) {}

  private recent(key: string): number[] {
    const since = this.clock.now().toMillis() - this.windowMinutes * 60_000;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    // Nothing kept for names and addresses without recent failures: the map does not grow with every guess.
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  blocked(username: string, address: string): boolean {
    return this.recent(`u:${username}`).length >= this.max || this.recent(`a:${address}`).length >= this.max * 4;
  }

  failed(username: string, address: string): void {
    const now = this.clock.now().toMillis();
    for (const key of [`u:${username}`, `a:${address}`]) this.failures.set(key, [...this.recent(key), now]);
  }

  succeeded(username: string): void {
    this.failures.delete(`u:${username}`);
  }
}

// ── principals ───────────────────────────────────────────────────────────

export interface AccessDeps {
  readonly store: AccessStore;
  readonly clock: Clock;
  /** HANCHOT_ADMIN_TOKEN: an admin above every unit. */
  readonly bootstrapToken?: string;
  readonly limiter: LoginLimiter;
  readonly sessionHours?: number;
}

export async function principalFromBearer(deps: AccessDeps, token: string): Promise<Principal | undefined> {
  if (deps.bootstrapToken && timingSafeEqual(Buffer.from(sha256(token)), Buffer.from(sha256(deps.bootstrapToken)))) {
    return { role: 'admin', unitId: null, actor: 'api:admin' };
  }
  const row = await deps.store.apiTokenByHash(sha256(token));
  if (!row || row.revokedAt) return undefined;
  return { role: row.role, unitId: row.unitId, actor: `token:${row.name}` };
}

export async function principalFromSession(deps: AccessDeps, sessionId: string): Promise<{ principal: Principal; csrfToken: string; user: UserRow } | undefined> {
  const found = await deps.store.sessionByHash(sha256(sessionId), deps.clock.now());
  if (!found || found.user.disabled) return undefined;
  return { principal: { role: found.user.role, unitId: found.user.unitId, actor: `user:${found.user.username}` }, csrfToken: found.csrfToken, user: found.user };
}

/** Checks the password (with the rate limit) and opens a session: returns the cookie value and the CSRF token. */
export async function login(deps: AccessDeps, input: { username: string; password: string; address: string }): Promise<{ sessionId: string; csrfToken: string; user: UserRow }> {
  const username = input.username.trim().toLowerCase();
  if (deps.limiter.blocked(username, input.address)) throw new AccessError(429, 'đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút');
  const user = await deps.store.userByUsername(username);
  // The hash is checked even for an unknown user, so timing does not reveal which names exist.
  const ok = await checkPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) {
    deps.limiter.failed(username, input.address);
    throw new AccessError(401, 'tên đăng nhập hoặc mật khẩu không đúng');
  }
  deps.limiter.succeeded(username);
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = deps.clock.now();
  await deps.store.createSession({ idHash: sha256(sessionId), userId: user.id, csrfToken, expiresAt: now.plus({ hours: deps.sessionHours ?? 12 }) }, now);
  return { sessionId, csrfToken, user };
}

export async function logout(deps: AccessDeps, sessionId: string): Promise<void> {
  await deps.store.deleteSession(sha256(sessionId));
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A new machine token: the caller shows `token` once; only its hash is stored. */
export async function createApiToken(deps: Pick<AccessDeps, 'store' | 'clock'>, input: { name: string; role: Role; unitId: string | null; createdBy: string }): Promise<{ token: string; row: ApiTokenRow }> {
  if (input.unitId !== null && !(await deps.store.unitAncestors(input.unitId))) throw new AccessError(404, `không có đơn vị "${input.unitId}"`);
  const token = `hct_${randomBytes(32).toString('base64url')}`;
  const row = await deps.store.createApiToken({ ...input, tokenHash: sha256(token) }, deps.clock.now());
  return { token, row };
}

export async function createUser(
  deps: Pick<AccessDeps, 'store' | 'clock'>,
  input: { username: string; displayName: string; password: string; role: Role; unitId: string | null },
): Promise<UserRow> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{1,62}$/.test(username)) throw new AccessError(400, 'tên đăng nhập: 2–63 ký tự chữ thường không dấu, số, ".", "_", "-"');
  if (input.unitId !== null && !(await deps.store.unitAncestors(input.unitId))) throw new AccessError(404, `không có đơn vị "${input.unitId}"`);
  const row = await deps.store.createUser({ username, displayName: input.displayName.trim() || username, passwordHash: await hashPassword(input.password), role: input.role, unitId: input.unitId }, deps.clock.now());
  if (!row) throw new AccessError(409, `đã có người dùng "${username}"`);
  return row;
}

/** Throws 403 unless `principal` may do `action` on an assignment of `unitId`. */
export async function authorize(store: Pick<AccessStore, 'unitAncestors'>, principal: Principal, action: Action, unitId: string): Promise<void> {
  const ancestors = await store.unitAncestors(unitId);
  if (!ancestors) throw new AccessError(404, `không có đơn vị "${unitId}"`);
  if (!can(principal, action, { unitId, ancestors })) {
    throw new AccessError(403, `${principal.actor} (${principal.role}${principal.unitId ? `, ${principal.unitId}` : ''}) không có quyền thực hiện việc này với đơn vị ${unitId}`);
  }
}
