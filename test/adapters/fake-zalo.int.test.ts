import { afterEach, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo } from '../../src/adapters/zalo/fake-zalo-server.js';

const APP = { appId: 'app', secretKey: 'secret', refreshToken: 'rt0', accessToken: 'at0' };
let fake: FakeZalo | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${fake!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> | null };
};
const refresh = async (rt: string, secret = APP.secretKey) => {
  const res = await fetch(`${fake!.url}/v4/oa/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: secret },
    body: new URLSearchParams({ refresh_token: rt, app_id: APP.appId, grant_type: 'refresh_token' }).toString(),
  });
  return (await res.json()) as Record<string, any>;
};
const zns = (token: string, phone = '84900000001') =>
  post('/message/template', { phone, template_id: 't1', template_data: { ten: 'Hà' }, tracking_id: 'hc123' }, { access_token: token });

describe('the fake Zalo server (reference §5)', () => {
  it('answers a ZNS send with the documented body, numbers as strings, and counts the quota down', async () => {
    fake = await startFakeZalo({ ...APP, dailyQuota: 1 });
    const ok = await zns('at0');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ error: 0, message: 'Success', data: { sending_mode: '1', quota: { remainingQuota: '0', dailyQuota: '1' } } });
    expect(typeof ok.body!.data.sent_time).toBe('string');
    expect((await zns('at0')).body).toEqual({ error: -144, message: 'OA exceeded daily quota' });
    expect((await zns('at0', '0900000001')).body!.error).toBe(-108);
    expect(fake.requests.map((r) => r.route)).toEqual(['zns', 'zns', 'zns']);
  });

  it('rotates refresh tokens once: the old refresh token and the old access token stop working', async () => {
    fake = await startFakeZalo(APP);
    const pair = await refresh('rt0');
    expect(pair).toMatchObject({ expires_in: '90000' });
    expect(pair.refresh_token).not.toBe('rt0');
    const reused = await refresh('rt0');
    expect(reused).toMatchObject({ error: -14014, error_name: 'invalid_grant' });
    expect(reused.message).toBeUndefined();
    expect((await zns('at0')).body!.error).toBe(-124);
    expect((await post('/v3.0/oa/message/cs', { recipient: { user_id: 'u' }, message: { text: 'x' } }, { access_token: 'at0' })).body!.error).toBe(-220);
    expect((await zns(pair.access_token)).body!.error).toBe(0);
    expect((await refresh(pair.refresh_token, 'wrong')).error).toBe(-14004);
    expect(fake.state.refreshCount).toBe(1);
  });

  it('applies injections (application error, HTTP 500, a held response) and the 7-day rule', async () => {
    fake = await startFakeZalo({ ...APP, oaFollowers: ['follower'] });
    fake.inject('zns', { code: -32 });
    fake.inject('zns', { http: 500 });
    fake.inject('zns', { timeoutMs: 200 });
    expect((await zns('at0')).body!.error).toBe(-32);
    expect((await zns('at0')).status).toBe(500);
    await expect(zns('at0')).rejects.toThrow();
    expect((await zns('at0')).body!.error).toBe(0);
    const cs = (user: string, text: string) => post('/v3.0/oa/message/cs', { recipient: { user_id: user }, message: { text } }, { access_token: 'at0' });
    expect((await cs('stranger', 'Nhắc hạn')).body!.error).toBe(-230);
    // 2,000 characters as written (NFC), sent decomposed (NFD, more code points): counted after NFC.
    const nfd = 'Nhắc hạn báo cáo'.repeat(125).normalize('NFD');
    expect([...nfd].length).toBeGreaterThan(2000);
    expect((await cs('follower', nfd)).body!.error).toBe(0);
    expect((await cs('follower', 'ạ'.repeat(2001))).body!.error).toBe(-210);
  });
});
