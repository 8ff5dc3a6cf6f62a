/**
 * What the HTTP tests share: a follow-up harness on PostgreSQL with its fastify app (both closed
 * by the test's cleanups), and a console sign-in that keeps the session cookie and the CSRF token.
 */
import type { LightMyRequestResponse } from 'fastify';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createUser } from '../../src/app/access.js';
import type { Clock } from '../../src/app/ports.js';
import type { Role } from '../../src/domain/access.js';
import { followUpHarness, runPlanner, type FollowUpHarness } from './follow-up-harness.js';

export type HttpApp = Awaited<ReturnType<FollowUpHarness['http']>>;
export type Reply = LightMyRequestResponse;

export interface HttpWorld {
  readonly h: FollowUpHarness;
  readonly app: HttpApp;
  /** The users and API tokens of this world's record. */
  readonly access: PostgresAccessStore;
}

/**
 * The harness at `start`, synced with the catalogue, planned when `plan` says so (the obligations
 * named, or `true` for all), and its HTTP app. Both are closed by `cleanups` (the app first).
 * The queue is recorded unless `bullmq` is true.
 */
export async function httpWorld(options: {
  start: string;
  loaded: Parameters<typeof followUpHarness>[0]['loaded'];
  cleanups: (() => Promise<unknown>)[];
  plan?: readonly string[] | true;
  bullmq?: boolean;
  smtpUrl?: string;
}): Promise<HttpWorld> {
  const h = await followUpHarness({ start: options.start, loaded: options.loaded, bullmq: options.bullmq ?? false, smtpUrl: options.smtpUrl });
  options.cleanups.push(() => h.dispose());
  await h.sync(options.loaded.catalogue);
  if (options.plan === true) await runPlanner(h.planner);
  else if (options.plan) await runPlanner(h.planner, [...options.plan]);
  const app = await h.http();
  options.cleanups.push(() => app.close());
  return { h, app, access: new PostgresAccessStore(h.db) };
}

export const PASSWORD = 'mật khẩu quản trị 1';
const FORM = 'application/x-www-form-urlencoded';
const CSRF = /name="_csrf" value="([^"]+)"/;

/** A signed-in console session: every request carries its cookie; posts carry its CSRF token. */
export interface ConsoleClient {
  /** The answer to POST /login. */
  readonly login: Reply;
  /** `hc_session=…`, as a Cookie header. */
  readonly cookie: string;
  /** The session's CSRF token: from the last page read that had one, else read from the dashboard. */
  csrf(): Promise<string>;
  get(url: string): Promise<Reply>;
  /** A console form post, `_csrf` first (left out with `{ csrf: false }`). */
  form(url: string, fields?: Record<string, string> | readonly (readonly [string, string])[], options?: { csrf?: boolean }): Promise<Reply>;
  /** A JSON call with the session, the CSRF token in `X-CSRF-Token`. */
  post(url: string, payload?: object): Promise<Reply>;
}

/** Signs `username` in with `password` (an existing user). */
export async function logIn(app: HttpApp, username: string, password = PASSWORD): Promise<ConsoleClient> {
  const login = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': FORM }, payload: new URLSearchParams({ username, password }).toString() });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  let token: string | undefined;
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie } });
    token = CSRF.exec(r.body)?.[1] ?? token;
    return r;
  };
  const csrf = async () => token ?? CSRF.exec((await get('/')).body)![1]!;
  return {
    login,
    cookie,
    csrf,
    get,
    async form(url, fields = {}, options = {}) {
      const pairs: [string, string][] = Array.isArray(fields) ? fields.map(([k, v]) => [k, v]) : Object.entries(fields);
      if (options.csrf !== false) pairs.unshift(['_csrf', await csrf()]);
      return app.inject({ method: 'POST', url, headers: { cookie, 'content-type': FORM }, payload: new URLSearchParams(pairs).toString() });
    },
    async post(url, payload = {}) {
      return app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': await csrf() }, payload });
    },
  };
}

/** Creates a console user (display name = username unless given) and signs it in. */
export async function signIn(
  app: HttpApp,
  access: PostgresAccessStore,
  clock: Clock,
  user: { username: string; role: Role; unitId: string | null; password?: string; displayName?: string },
): Promise<ConsoleClient> {
  const password = user.password ?? PASSWORD;
  await createUser({ store: access, clock }, { username: user.username, displayName: user.displayName ?? user.username, password, role: user.role, unitId: user.unitId });
  return logIn(app, user.username, password);
}
