import axios, { type AxiosResponse } from 'axios';
import { z } from 'zod';
import { PermanentError } from '../../app/errors.js';

/**
 * The Zalo HTTP client (reference §1, §2): ZNS template sends by phone, OA consultation text by
 * user id, and the OA OAuth v4 refresh. It knows the wire format and nothing about retries: it
 * throws `ZaloApiError` when Zalo answered with an error code and `ZaloTransportError` when no
 * usable answer came back; `zalo-errors.ts` says what each one means.
 *
 * - The token goes in a bare `access_token` header (not `Authorization: Bearer`).
 * - Success is `error === 0` in the body (a string "0" counts), never the HTTP status: Zalo
 *   returns application errors with HTTP 200.
 * - Numbers that arrive as strings (`sent_time`, quota fields, `expires_in`) are coerced here.
 * - Once Zalo said `error: 0` the message is out, so the success body is read leniently (a
 *   missing or malformed field gets a neutral value) rather than thrown on, which would make the
 *   caller send it again.
 * - Secrets (access token, refresh token, app secret) never appear in an error message or in the
 *   `body` carried by an error, and no axios error (which holds the request headers) is kept.
 */
export interface ZaloClientOptions {
  oaBaseUrl: string;
  znsBaseUrl: string;
  oauthBaseUrl: string;
  appId: string;
  appSecret: string;
  /** Per request, connection to last byte (default 15,000 ms). */
  timeoutMs?: number;
}

/** Zalo answered and refused: `code` is the body's `error` (negative), or -1 when it gave none. */
export class ZaloApiError extends Error {
  override readonly name = 'ZaloApiError';
  constructor(
    readonly code: number,
    message: string,
    readonly api: 'oa' | 'zns' | 'oauth',
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** No usable answer: timed out, could not connect, or an HTTP error without a Zalo error body. */
export class ZaloTransportError extends Error {
  override readonly name = 'ZaloTransportError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'http',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ZnsSendResult {
  msgId: string;
  /** Epoch milliseconds, as Zalo reported it (0 if it did not). */
  sentTime: number;
  quota?: { daily: number; remaining: number };
}

export interface OaSendResult {
  messageId: string;
  userId: string;
  sentTime: number;
  quota?: { type: string; remain: number; total: number };
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export interface ZnsSendRequest {
  /** Already normalised: 84xxxxxxxxx. */
  phone: string;
  templateId: string;
  templateData: Record<string, string>;
  trackingId: string;
  /** ZNS `mode: "development"`: only the OA's admins receive. */
  development?: boolean;
}

export interface OaTextRequest {
  userId: string;
  text: string;
}

export type ZaloClient = ReturnType<typeof createZaloClient>;

/** The access token lives 25 h ("expires_in": "90000"); used when Zalo omits or garbles it. */
const DEFAULT_EXPIRES_IN = 90_000;

// ---- boundary schemas -------------------------------------------------------------------------

/** A number, or a string holding one ("1626926349402"); anything else is rejected. */
const numeric = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** An id Zalo may send as a string or a number. */
const idText = z.union([z.string(), z.number().transform(String)]);

const envelope = z.object({ error: numeric });

const znsData = z
  .object({
    msg_id: idText.catch(''),
    sent_time: numeric.catch(0),
    quota: z
      .object({ dailyQuota: numeric, remainingQuota: numeric })
      .transform((q) => ({ daily: q.dailyQuota, remaining: q.remainingQuota }))
      .optional()
      .catch(undefined),
  })
  .catch({ msg_id: '', sent_time: 0, quota: undefined });

const oaData = z
  .object({
    message_id: idText.catch(''),
    user_id: idText.catch(''),
    sent_time: numeric.catch(0),
    quota: z
      .object({ quota_type: z.string().catch(''), remain: numeric, total: numeric })
      .transform((q) => ({ type: q.quota_type, remain: q.remain, total: q.total }))
      .optional()
      .catch(undefined),
  })
  .catch({ message_id: '', user_id: '', sent_time: 0, quota: undefined });

const tokenBody = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: numeric.refine((n) => n > 0).catch(DEFAULT_EXPIRES_IN),
});

// ---- helpers ----------------------------------------------------------------------------------

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SECRET_KEYS = new Set(['access_token', 'refresh_token', 'secret_key', 'app_secret', 'code', 'code_verifier']);

/** The body kept on an error, with anything that could be a credential blanked out. */
function redact(body: unknown): unknown {
  if (!isObject(body)) return typeof body === 'string' ? body.slice(0, 500) : body;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : v]));
}

/** The body's error code if it has one that reads as an integer. */
function errorCode(body: unknown): number | undefined {
  if (!isObject(body) || !('error' in body)) return undefined;
  const parsed = numeric.safeParse(body.error);
  return parsed.success && Number.isInteger(parsed.data) ? parsed.data : undefined;
}

/** Zalo's text for an error: `message`, or on the OAuth endpoint `error_name`/`error_description`/`error_reason`. */
function errorText(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  for (const key of ['message', 'error_name', 'error_description', 'error_reason'] as const) {
    const v = body[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}

function invalid(message: string): PermanentError {
  return new PermanentError(`yêu cầu Zalo không hợp lệ: ${message}`, 'zalo_invalid_request');
}

// ---- the client -------------------------------------------------------------------------------

export function createZaloClient(o: ZaloClientOptions) {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const http = axios.create({
    timeout: timeoutMs,
    // Every status comes back as a response: success is decided from the body, not the status.
    validateStatus: () => true,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    transitional: { clarifyTimeoutError: true },
  });

  /** One HTTP call; transport failures become ZaloTransportError (without the axios error, which holds our headers). */
  async function post(url: string, body: unknown, headers: Record<string, string>): Promise<AxiosResponse<unknown>> {
    // axios's `timeout` is an idle timer on the socket; the abort makes it a hard deadline.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      return await http.post(url, body, { headers, signal: controller.signal });
    } catch (e) {
      const code = axios.isAxiosError(e) ? e.code : undefined;
      if (timedOut || code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
        throw new ZaloTransportError('timeout', `Zalo không trả lời trong ${timeoutMs} ms (${new URL(url).pathname})`);
      }
      const cause = axios.isAxiosError(e) ? (e.code ?? e.message) : (e as Error)?.message;
      throw new ZaloTransportError('network', `không kết nối được tới Zalo (${new URL(url).host}): ${cause ?? 'lỗi mạng'}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The `data` of a successful OA/ZNS envelope, or the error Zalo's answer means. */
  function unwrap(res: AxiosResponse<unknown>, api: 'oa' | 'zns', path: string): unknown {
    if (res.status >= 500) throw new ZaloTransportError('http', `Zalo ${api} ${path}: HTTP ${res.status}`, res.status);
    const body = parseBody(res.data);
    const parsed = envelope.safeParse(body);
    if (!parsed.success || !Number.isInteger(parsed.data.error)) {
      throw new ZaloTransportError('http', `Zalo ${api} ${path}: HTTP ${res.status} không có mã lỗi Zalo trong nội dung trả về`, res.status);
    }
    const code = parsed.data.error;
    if (code !== 0) throw new ZaloApiError(code, errorText(body) ?? `Zalo error ${code}`, api, redact(body));
    if (res.status >= 300) {
      throw new ZaloTransportError('http', `Zalo ${api} ${path}: HTTP ${res.status} với error 0`, res.status);
    }
    return isObject(body) ? body.data : undefined;
  }

  return {
    async sendZns(accessToken: string, req: ZnsSendRequest): Promise<ZnsSendResult> {
      if (!/^84\d{9}$/.test(req.phone)) throw invalid(`số điện thoại phải ở dạng 84xxxxxxxxx`);
      if (typeof req.templateId !== 'string' || req.templateId.trim() === '') throw invalid('thiếu template_id');
      if (typeof req.trackingId !== 'string' || !/^[A-Za-z0-9_]{1,48}$/.test(req.trackingId)) {
        throw invalid('tracking_id phải có 1–48 ký tự chữ, số hoặc _');
      }
      if (!isObject(req.templateData)) throw invalid('template_data phải là một object');
      const templateData: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.templateData)) {
        if (typeof value !== 'string') throw invalid(`tham số mẫu "${key}" phải là chuỗi (string), nhận ${typeof value}`);
        templateData[key] = value.normalize('NFC');
      }
      const body: Record<string, unknown> = {
        phone: req.phone,
        template_id: req.templateId,
        template_data: templateData,
        tracking_id: req.trackingId,
      };
      if (req.development) body.mode = 'development';
      const path = '/message/template';
      const res = await post(join(o.znsBaseUrl, path), body, { access_token: accessToken, 'Content-Type': 'application/json; charset=utf-8' });
      const data = znsData.parse(unwrap(res, 'zns', path));
      return { msgId: data.msg_id, sentTime: data.sent_time, ...(data.quota ? { quota: data.quota } : {}) };
    },

    async sendOaText(accessToken: string, req: OaTextRequest): Promise<OaSendResult> {
      if (typeof req.userId !== 'string' || req.userId.trim() === '') throw invalid('thiếu user_id người nhận');
      if (typeof req.text !== 'string' || req.text.trim() === '') throw invalid('nội dung tin (text) phải là chuỗi không rỗng');
      const body = { recipient: { user_id: req.userId }, message: { text: req.text.normalize('NFC') } };
      const path = '/v3.0/oa/message/cs';
      const res = await post(join(o.oaBaseUrl, path), body, { access_token: accessToken, 'Content-Type': 'application/json; charset=utf-8' });
      const data = oaData.parse(unwrap(res, 'oa', path));
      return {
        messageId: data.message_id,
        userId: data.user_id || req.userId,
        sentTime: data.sent_time,
        ...(data.quota ? { quota: data.quota } : {}),
      };
    },

    /**
     * OAuth v4 refresh: form-encoded, app secret in the `secret_key` header. The answer has no
     * envelope; it is a success only when both tokens are present (and no error code says
     * otherwise). Anything else Zalo answered is a ZaloApiError (the caller must not retry the
     * refresh token); a 5xx, a non-JSON 4xx, a timeout or a network failure is a ZaloTransportError.
     */
    async refreshAccessToken(refreshToken: string): Promise<TokenPair> {
      const path = '/v4/oa/access_token';
      const form = new URLSearchParams({ refresh_token: refreshToken, app_id: o.appId, grant_type: 'refresh_token' });
      const res = await post(join(o.oauthBaseUrl, path), form.toString(), {
        secret_key: o.appSecret,
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      if (res.status >= 500) throw new ZaloTransportError('http', `Zalo oauth ${path}: HTTP ${res.status}`, res.status);
      const body = parseBody(res.data);
      if (!isObject(body)) {
        throw new ZaloTransportError('http', `Zalo oauth ${path}: HTTP ${res.status} không phải JSON`, res.status);
      }
      const code = errorCode(body);
      const tokens = tokenBody.safeParse(body);
      if (tokens.success && (code === undefined || code === 0) && res.status < 300) {
        return { accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token, expiresInSeconds: tokens.data.expires_in };
      }
      const failed = code !== undefined && code !== 0;
      const message = errorText(body) ?? (failed ? `Zalo error ${code}` : 'Zalo không trả về đủ access_token và refresh_token');
      throw new ZaloApiError(failed ? code : -1, message, 'oauth', redact(body));
    },
  };
}
