import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/app/errors.js';
import { createZaloClient, ZaloApiError, ZaloTransportError, type ZaloClientOptions } from '../../src/adapters/zalo/zalo-client.js';

/**
 * The Zalo client against tiny HTTP servers on 127.0.0.1, one per test, each answering what
 * the test says and recording what it received.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  while (servers.length) {
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (status: number, body: unknown) => (_: Seen, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

function client(url: string, extra: Partial<ZaloClientOptions> = {}) {
  return createZaloClient({ oaBaseUrl: url, znsBaseUrl: url, oauthBaseUrl: url, appId: '1234567890', appSecret: 'S3CRET-app-key', timeoutMs: 2_000, ...extra });
}

const ZNS_REQ = {
  phone: '84912345678',
  templateId: '301234',
  templateData: { ten: 'Nguyễn Thị Phương Thảo', han: '30/10/2027', viec: 'Nộp báo cáo quý IV' },
  trackingId: 'hc0123456789abcdef',
};

/** The error a promise rejects with, so its fields can be checked. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('ZNS send', () => {
  it('posts JSON with a bare access_token header and coerces string numbers', async () => {
    const { url, seen } = await serve(
      json(200, { error: 0, message: 'Success', data: { sent_time: '1714529559833', sending_mode: '1', msg_id: '5c4ee6a9692026', quota: { remainingQuota: '4999', dailyQuota: '5000' } } }),
    );
    const result = await client(url).sendZns('AT-zns-1', { ...ZNS_REQ, templateData: { ...ZNS_REQ.templateData, ten: ZNS_REQ.templateData.ten.normalize('NFD') } });
    expect(result).toEqual({ msgId: '5c4ee6a9692026', sentTime: 1714529559833, quota: { daily: 5000, remaining: 4999 } });

    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/message/template');
    expect(req.headers.access_token).toBe('AT-zns-1');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(req.body)).toEqual({
      phone: '84912345678',
      template_id: '301234',
      template_data: ZNS_REQ.templateData, // NFC on the wire
      tracking_id: 'hc0123456789abcdef',
    });
    expect(req.body).toContain('Nguyễn Thị Phương Thảo'); // UTF-8, not \u escapes of NFD
  });

  it('sends mode "development" when asked, and tolerates a base URL with a trailing slash', async () => {
    const { url, seen } = await serve(json(200, { error: 0, message: 'Success', data: { msg_id: 'm1', sent_time: 1714529559833 } }));
    const result = await client(`${url}/`).sendZns('AT', { ...ZNS_REQ, development: true });
    expect(result).toEqual({ msgId: 'm1', sentTime: 1714529559833 });
    expect(result.quota).toBeUndefined();
    expect(seen[0]!.url).toBe('/message/template');
    expect(JSON.parse(seen[0]!.body).mode).toBe('development');
  });

  it('accepts "error": "0" as a string', async () => {
    const { url } = await serve(json(200, { error: '0', message: 'Success', data: { msg_id: 'm2', sent_time: '1', quota: { remainingQuota: '0', dailyQuota: '500' } } }));
    expect(await client(url).sendZns('AT', ZNS_REQ)).toEqual({ msgId: 'm2', sentTime: 1, quota: { daily: 500, remaining: 0 } });
  });

  it('drops a malformed quota rather than failing a message that went out', async () => {
    const { url } = await serve(json(200, { error: 0, data: { msg_id: 'm3', sent_time: '17', sending_mode: null, quota: { remainingQuota: 'lots' } } }));
    expect(await client(url).sendZns('AT', ZNS_REQ)).toEqual({ msgId: 'm3', sentTime: 17 });
  });

  it('HTTP 200 with a negative error is a ZaloApiError with code and message', async () => {
    const { url } = await serve(json(200, { error: -118, message: 'Zalo account not existed', data: null }));
    const e = await failure(client(url).sendZns('AT', ZNS_REQ));
    expect(e).toBeInstanceOf(ZaloApiError);
    expect(e).toMatchObject({ code: -118, message: 'Zalo account not existed', api: 'zns', body: { error: -118, data: null } });
  });

  it('a string error code is coerced too', async () => {
    const { url } = await serve(json(200, { error: '-144', message: 'OA exceeded daily quota' }));
    expect(await failure(client(url).sendZns('AT', ZNS_REQ))).toMatchObject({ code: -144, api: 'zns' });
  });

  it('HTTP 4xx with a Zalo error body is a ZaloApiError; without one, a transport error', async () => {
    const { url } = await serve(json(400, { error: -108, message: 'Phone number invalid' }));
    expect(await failure(client(url).sendZns('AT', ZNS_REQ))).toMatchObject({ name: 'ZaloApiError', code: -108 });

    const bare = await serve((_, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    const e = await failure(client(bare.url).sendZns('AT', ZNS_REQ));
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'http', status: 404 });
  });

  it('HTTP 200 with something other than a Zalo envelope is a transport error', async () => {
    const { url } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    expect(await failure(client(url).sendZns('AT', ZNS_REQ))).toMatchObject({ name: 'ZaloTransportError', kind: 'http', status: 200 });
  });

  it('refuses non-string template data and a phone not in 84… form before calling Zalo', async () => {
    const { url, seen } = await serve(json(200, { error: 0, data: {} }));
    const bad = await failure(client(url).sendZns('AT', { ...ZNS_REQ, templateData: { so: 42 as unknown as string } }));
    expect(bad).toBeInstanceOf(PermanentError);
    expect((bad as Error).message).toContain('"so"');
    expect(await failure(client(url).sendZns('AT', { ...ZNS_REQ, phone: '0912345678' }))).toBeInstanceOf(PermanentError);
    expect(await failure(client(url).sendZns('AT', { ...ZNS_REQ, trackingId: 'has-dash' }))).toBeInstanceOf(PermanentError);
    expect(seen).toHaveLength(0);
  });
});

describe('OA consultation text', () => {
  it('posts recipient.user_id and message.text, coerces strings, reads the quota', async () => {
    const { url, seen } = await serve(
      json(200, { data: { quota: { quota_type: 'reply', remain: '8', total: '8' }, message_id: '63ecf43f0df7dba892e6', user_id: '2512523625412515', sent_time: '1626926349402' }, error: 0, message: 'Success' }),
    );
    const text = 'Nhắc hạn: nộp báo cáo 📅 30/10/2027'.normalize('NFD');
    const result = await client(url).sendOaText('AT-oa', { userId: '2512523625412515', text });
    expect(result).toEqual({ messageId: '63ecf43f0df7dba892e6', userId: '2512523625412515', sentTime: 1626926349402, quota: { type: 'reply', remain: 8, total: 8 } });
    const req = seen[0]!;
    expect(req.url).toBe('/v3.0/oa/message/cs');
    expect(req.headers.access_token).toBe('AT-oa');
    expect(JSON.parse(req.body)).toEqual({ recipient: { user_id: '2512523625412515' }, message: { text: text.normalize('NFC') } });
  });

  it('quota is optional (no longer returned after 2026-03-01)', async () => {
    const { url } = await serve(json(200, { data: { message_id: 'x1', user_id: 'u1', sent_time: '5' }, error: 0, message: 'Success' }));
    const result = await client(url).sendOaText('AT', { userId: 'u1', text: 'Chào' });
    expect(result).toEqual({ messageId: 'x1', userId: 'u1', sentTime: 5 });
    expect('quota' in result).toBe(false);
  });

  it('-230 with HTTP 200 is a ZaloApiError on the oa api', async () => {
    const { url } = await serve(json(200, { error: -230, message: 'User has not interacted with the OA in the past 7 days' }));
    expect(await failure(client(url).sendOaText('AT', { userId: 'u1', text: 'Chào' }))).toMatchObject({ name: 'ZaloApiError', code: -230, api: 'oa' });
  });

  it('refuses a non-string text', async () => {
    const { url, seen } = await serve(json(200, { error: 0, data: {} }));
    expect(await failure(client(url).sendOaText('AT', { userId: 'u1', text: 5 as unknown as string }))).toBeInstanceOf(PermanentError);
    expect(seen).toHaveLength(0);
  });
});

describe('OAuth refresh', () => {
  it('posts a form with the secret_key header and returns both tokens and a numeric expiry', async () => {
    const { url, seen } = await serve(json(200, { access_token: 'AT-new', refresh_token: 'RT-new', expires_in: '90000' }));
    const pair = await client(url).refreshAccessToken('RT-old+/=');
    expect(pair).toEqual({ accessToken: 'AT-new', refreshToken: 'RT-new', expiresInSeconds: 90000 });

    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v4/oa/access_token');
    expect(req.headers.secret_key).toBe('S3CRET-app-key');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ refresh_token: 'RT-old+/=', app_id: '1234567890', grant_type: 'refresh_token' });
    expect(req.body).toContain('refresh_token=RT-old%2B%2F%3D');
  });

  it('an answer without both tokens is a ZaloApiError (code -1), never a success', async () => {
    const { url } = await serve(json(200, { access_token: 'AT-only', expires_in: '90000' }));
    const e = await failure(client(url).refreshAccessToken('RT'));
    expect(e).toBeInstanceOf(ZaloApiError);
    expect(e).toMatchObject({ code: -1, api: 'oauth', body: { access_token: '[redacted]' } });
    expect((e as Error).message).toContain('refresh_token');
  });

  it('an error_name body (HTTP 200, no message) is a ZaloApiError with that code and name', async () => {
    const { url } = await serve(json(200, { error: -14014, error_name: 'Invalid refresh token', error_reason: 'refresh token was used', ref_doc: 'https://developers.zalo.me' }));
    const e = await failure(client(url).refreshAccessToken('RT-used'));
    expect(e).toMatchObject({ name: 'ZaloApiError', code: -14014, message: 'Invalid refresh token', api: 'oauth' });
  });

  it('error_description is used when there is no error_name, and a string code is coerced', async () => {
    const { url } = await serve(json(400, { error: '-14002', error_description: 'Invalid appId' }));
    expect(await failure(client(url).refreshAccessToken('RT'))).toMatchObject({ code: -14002, message: 'Invalid appId' });
  });

  it('a body with tokens but a negative error is still a failure', async () => {
    const { url } = await serve(json(200, { error: -14003, message: 'Invalid redirect uri', access_token: 'x', refresh_token: 'y' }));
    const e = await failure(client(url).refreshAccessToken('RT'));
    expect(e).toMatchObject({ code: -14003, body: { access_token: '[redacted]', refresh_token: '[redacted]' } });
  });

  it('a missing expires_in falls back to the documented 25 h', async () => {
    const { url } = await serve(json(200, { access_token: 'a', refresh_token: 'r' }));
    expect(await client(url).refreshAccessToken('RT')).toEqual({ accessToken: 'a', refreshToken: 'r', expiresInSeconds: 90000 });
  });

  it('HTTP 502 is a transport error, not a refused refresh token', async () => {
    const { url } = await serve(json(502, { error: -1, message: 'bad gateway' }));
    expect(await failure(client(url).refreshAccessToken('RT'))).toMatchObject({ name: 'ZaloTransportError', kind: 'http', status: 502 });
  });
});

describe('transport failures', () => {
  it('HTTP 500 is ZaloTransportError http with the status, even with a JSON body', async () => {
    const { url } = await serve(json(500, { error: -100, message: 'Unknown error' }));
    const e = await failure(client(url).sendZns('AT', ZNS_REQ));
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'http', status: 500 });
  });

  it('no answer within timeoutMs is ZaloTransportError timeout', async () => {
    const { url } = await serve(() => undefined); // never answers
    const started = performance.now();
    const e = await failure(client(url, { timeoutMs: 200 }).sendOaText('AT', { userId: 'u1', text: 'Chào' }));
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('a server that sends headers then stalls the body also times out', async () => {
    const { url } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"error":0,');
      const keep = setInterval(() => res.write(' '), 50); // keeps the socket busy: an idle timer would never fire
      res.on('close', () => clearInterval(keep));
    });
    expect(await failure(client(url, { timeoutMs: 300 }).sendZns('AT', ZNS_REQ))).toMatchObject({ name: 'ZaloTransportError', kind: 'timeout' });
  });

  it('connection refused is ZaloTransportError network', async () => {
    const { url } = await serve(json(200, {}));
    const s = servers.pop()!;
    await new Promise((r) => s.close(r)); // nothing listens on that port any more
    const e = await failure(client(url).refreshAccessToken('RT'));
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'network' });
    expect((e as Error).message).toContain('ECONNREFUSED');
  });

  it('never puts a secret in an error message', async () => {
    const { url } = await serve(() => undefined);
    const refused = await serve(json(200, {}));
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const errors = [
      await failure(client(url, { timeoutMs: 100 }).refreshAccessToken('RT-secret-value')),
      await failure(client(refused.url).refreshAccessToken('RT-secret-value')),
      await failure(client(refused.url).sendZns('AT-secret-value', ZNS_REQ)),
    ];
    for (const e of errors) {
      const text = `${(e as Error).message} ${JSON.stringify(e)} ${String((e as Error).stack)}`;
      expect(text).not.toContain('secret-value');
      expect(text).not.toContain('S3CRET');
      expect((e as Error).cause).toBeUndefined();
    }
  });
});
