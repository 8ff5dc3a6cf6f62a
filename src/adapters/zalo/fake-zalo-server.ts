import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Zalo that follows ../shared/reference/zalo-api.md §5: OA and ZNS routes with the
 * documented bodies (HTTP 200 application errors, numbers as strings), single-use rotating
 * refresh tokens, per-route error injection, and a record of every request. For tests and for
 * `hanchot start --fake-zalo`; it never talks to the real Zalo.
 */
export interface FakeZaloOptions {
  port?: number;
  appId: string;
  secretKey: string;
  refreshToken: string;
  accessToken?: string;
  accessTokenTtlSeconds?: number;
  /** user_ids that follow the OA and interacted recently; others get -230 on CS. Default: everyone. */
  oaFollowers?: Iterable<string>;
  /** Phones (84…) that have Zalo; others get -118. Default 'all'. */
  zaloPhones?: Iterable<string> | 'all';
  dailyQuota?: number;
  /** Latency of the OAuth route, to make refresh races real. */
  oauthDelayMs?: number;
  now?: () => number;
}

export type Route = 'zns' | 'cs' | 'transaction' | 'promotion' | 'oauth';
export type Injection =
  | { code: number; message?: string }
  | { http: number }
  | { timeoutMs: number }
  | { oauthError: { error: number; error_name: string; error_reason?: string; error_description?: string } };

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  at: number;
  outcome: { http: number; body: unknown } | 'timeout';
}

export interface FakeZalo {
  readonly url: string;
  readonly requests: RecordedRequest[];
  inject(route: Route, injection: Injection, times?: number): void;
  injectWhen(route: Route, predicate: (body: any) => boolean, injection: Injection, times?: number): void;
  clearInjections(): void;
  expireAccessTokens(): void;
  readonly state: {
    validAccessTokens: ReadonlySet<string>;
    refreshToken: string;
    refreshCount: number;
    remainingQuota: number;
    sent: { route: Route; to: string; body: unknown }[];
  };
  close(): Promise<void>;
}

const ROUTES: Record<string, Route> = {
  '/message/template': 'zns',
  '/v3.0/oa/message/cs': 'cs',
  '/v3.0/oa/message/transaction': 'transaction',
  '/v3.0/oa/message/promotion': 'promotion',
  '/v4/oa/access_token': 'oauth',
};

const hex = (n: number) => randomBytes(n).toString('hex');

export async function startFakeZalo(options: FakeZaloOptions): Promise<FakeZalo> {
  const now = options.now ?? Date.now;
  const validAccess = new Set<string>(options.accessToken ? [options.accessToken] : []);
  const retiredAccess = new Set<string>();
  const followers = options.oaFollowers ? new Set(options.oaFollowers) : undefined;
  const phones = options.zaloPhones && options.zaloPhones !== 'all' ? new Set(options.zaloPhones) : undefined;
  const daily = options.dailyQuota ?? 5000;
  const state = { validAccessTokens: validAccess, refreshToken: options.refreshToken, refreshCount: 0, remainingQuota: daily, sent: [] as { route: Route; to: string; body: unknown }[] };
  const requests: RecordedRequest[] = [];
  const injections: { route: Route; when?: (body: any) => boolean; injection: Injection; left: number }[] = [];
  const sockets = new Set<Socket>();

  const appError = (code: number, message: string) => ({ http: 200, body: { error: code, message } });

  function tokenCheck(headers: IncomingMessage['headers'], api: 'oa' | 'zns'): { http: number; body: unknown } | undefined {
    const token = headers['access_token'];
    if (typeof token === 'string' && validAccess.has(token)) return undefined;
    if (api === 'zns') return appError(-124, 'Access token invalid');
    if (typeof token === 'string' && retiredAccess.has(token)) return appError(-220, 'access_token is expired or removed');
    return appError(-216, 'Access token is invalid');
  }

  function handle(route: Route, req: IncomingMessage, body: any, raw: string): { http: number; body: unknown } {
    if (route === 'oauth') {
      if (req.headers['secret_key'] !== options.secretKey) return { http: 200, body: { error: -14004, error_name: 'invalid_secret_key', error_reason: 'secret_key is invalid' } };
      const form = new URLSearchParams(raw);
      if (form.get('app_id') !== options.appId) return { http: 200, body: { error: -14002, error_name: 'invalid_app_id', error_reason: 'Invalid appId' } };
      if (form.get('grant_type') !== 'refresh_token') return { http: 200, body: { error: -14001, error_name: 'unsupported_grant_type', error_reason: 'only refresh_token is served here' } };
      if (form.get('refresh_token') !== state.refreshToken) {
        return { http: 200, body: { error: -14014, error_name: 'invalid_grant', error_reason: 'refresh token is invalid or used', error_description: 'Refresh token is invalid' } };
      }
      // Single use: the old refresh token and every access token issued before stop working.
      for (const t of validAccess) retiredAccess.add(t);
      validAccess.clear();
      const access = `at-${hex(12)}`;
      validAccess.add(access);
      state.refreshToken = `rt-${hex(12)}`;
      state.refreshCount++;
      return { http: 200, body: { access_token: access, refresh_token: state.refreshToken, expires_in: String(options.accessTokenTtlSeconds ?? 90000) } };
    }
    if (body === undefined) return appError(-201, 'body is invalid!');
    if (route === 'zns') {
      const denied = tokenCheck(req.headers, 'zns');
      if (denied) return denied;
      if (typeof body.phone !== 'string' || !/^84\d{9}$/.test(body.phone)) return appError(-108, 'Phone number invalid');
      if (typeof body.template_id !== 'string' || body.template_id === '') return appError(-109, 'Template ID invalid');
      const data = body.template_data;
      if (!data || typeof data !== 'object' || Object.values(data).some((v) => typeof v !== 'string')) return appError(-1122, 'Template data invalid format');
      if (typeof body.tracking_id !== 'string' || body.tracking_id.length > 48 || !/^[A-Za-z0-9_-]+$/.test(body.tracking_id)) {
        return appError(-201, 'tracking_id is invalid!');
      }
      if (phones && !phones.has(body.phone)) return appError(-118, 'Zalo account not existed');
      if (state.remainingQuota <= 0) return appError(-144, 'OA exceeded daily quota');
      state.remainingQuota--;
      state.sent.push({ route, to: body.phone, body });
      return {
        http: 200,
        body: { error: 0, message: 'Success', data: { msg_id: hex(16), sent_time: String(now()), sending_mode: '1', quota: { remainingQuota: String(state.remainingQuota), dailyQuota: String(daily) } } },
      };
    }
    const denied = tokenCheck(req.headers, 'oa');
    if (denied) return denied;
    const userId = body.recipient?.user_id;
    if (typeof userId !== 'string' || userId === '') return appError(-201, 'user_id is invalid!');
    if (route === 'cs') {
      const text = body.message?.text;
      if (typeof text === 'string') {
        if ([...text.normalize('NFC')].length > 2000) return appError(-210, 'Parameter exceeds allowable limit');
      } else if (!body.message?.attachment) return appError(-201, 'message is invalid!');
      if (followers && !followers.has(userId)) return appError(-230, 'User has not interacted with the OA in the past 7 days');
    }
    state.sent.push({ route, to: userId, body });
    return {
      http: 200,
      body: { data: { quota: { quota_type: 'reply', remain: '8', total: '8' }, message_id: hex(10), user_id: userId, sent_time: String(now()) }, error: 0, message: 'Success' },
    };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const route = ROUTES[path];
      let body: any;
      if (route && route !== 'oauth') {
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = undefined;
        }
      } else if (route === 'oauth') body = Object.fromEntries(new URLSearchParams(raw));
      const record: RecordedRequest = { route: route ?? 'unknown', method: req.method ?? 'GET', path, headers: { ...req.headers }, body, rawBody: raw, at: now(), outcome: 'timeout' };
      requests.push(record);
      const send = (outcome: { http: number; body: unknown }) => {
        record.outcome = outcome;
        const text = typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body);
        res.writeHead(outcome.http, { 'content-type': typeof outcome.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8' });
        res.end(text);
      };
      if (!route || req.method !== 'POST') return send({ http: 404, body: { error: 404, message: 'Not found' } });
      const i = injections.findIndex((x) => x.route === route && x.left > 0 && (!x.when || x.when(body)));
      const injection = i >= 0 ? injections[i]! : undefined;
      if (injection) injection.left--;
      const respond = () => {
        const inj = injection?.injection;
        if (inj && 'timeoutMs' in inj) {
          setTimeout(() => req.socket.destroy(), inj.timeoutMs).unref();
          return;
        }
        if (inj && 'http' in inj) return send({ http: inj.http, body: 'Internal Server Error' });
        if (inj && 'oauthError' in inj) return send({ http: 200, body: inj.oauthError });
        if (inj && 'code' in inj) return send(appError(inj.code, inj.message ?? `injected error ${inj.code}`));
        send(handle(route, req, body, raw));
      };
      if (route === 'oauth' && options.oauthDelayMs) setTimeout(respond, options.oauthDelayMs).unref();
      else respond();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    inject: (route, injection, times = 1) => void injections.push({ route, injection, left: times }),
    injectWhen: (route, when, injection, times = 1) => void injections.push({ route, when, injection, left: times }),
    clearInjections: () => void injections.splice(0),
    expireAccessTokens() {
      for (const t of validAccess) retiredAccess.add(t);
      validAccess.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
