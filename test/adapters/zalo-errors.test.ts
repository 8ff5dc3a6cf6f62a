import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { trackingIdFor } from '../../src/adapters/zalo/tracking-id.js';
import { decide, decideTransport, deferUntil, knownCodes, type ZaloDecision } from '../../src/adapters/zalo/zalo-errors.js';

const ZONE = 'Asia/Ho_Chi_Minh';

/** Issue 4 §3 and reference §4.1/§4.2, code by code: [code, api, expected decision]. */
const TABLE: [number, 'oa' | 'zns', ZaloDecision][] = [
  // refresh once, retry once
  [-216, 'oa', { kind: 'refresh' }],
  [-220, 'oa', { kind: 'refresh' }],
  [-220, 'zns', { kind: 'refresh' }],
  [-124, 'zns', { kind: 'refresh' }],
  [-216, 'zns', { kind: 'refresh' }],
  // retry with backoff
  [-32, 'oa', { kind: 'retry' }],
  [-32, 'zns', { kind: 'retry' }],
  [-100, 'zns', { kind: 'retry', maxAttempts: 3 }],
  [-100, 'oa', { kind: 'retry', maxAttempts: 3 }],
  [-200, 'oa', { kind: 'retry', maxAttempts: 2 }],
  // defer without an attempt
  [-133, 'zns', { kind: 'defer', until: 'night_end' }],
  [-234, 'oa', { kind: 'defer', until: 'night_end' }],
  [-144, 'zns', { kind: 'defer', until: 'next_day' }],
  [-147, 'zns', { kind: 'defer', until: 'next_day' }],
  [-211, 'oa', { kind: 'defer', until: 'next_day' }],
  [-1472, 'zns', { kind: 'defer', until: 'next_day' }],
  [-115, 'zns', { kind: 'defer', until: 'later', alert: true }],
  // permanent for this channel, no alert: the recipient cannot be reached here
  [-213, 'oa', { kind: 'permanent' }],
  [-230, 'oa', { kind: 'permanent' }],
  [-232, 'oa', { kind: 'permanent' }],
  [-217, 'oa', { kind: 'permanent' }],
  [-218, 'oa', { kind: 'permanent' }],
  [-227, 'oa', { kind: 'permanent' }],
  [-244, 'oa', { kind: 'permanent' }],
  [-108, 'zns', { kind: 'permanent' }],
  [-110, 'zns', { kind: 'permanent' }],
  [-114, 'zns', { kind: 'permanent' }],
  [-118, 'zns', { kind: 'permanent' }],
  [-119, 'zns', { kind: 'permanent' }],
  [-139, 'zns', { kind: 'permanent' }],
  [-140, 'zns', { kind: 'permanent' }],
  [-141, 'zns', { kind: 'permanent' }],
  [-1441, 'zns', { kind: 'permanent' }],
  [-1471, 'zns', { kind: 'permanent' }],
  // permanent, payload errors
  [-106, 'zns', { kind: 'permanent' }],
  [-107, 'zns', { kind: 'permanent' }],
  [-111, 'zns', { kind: 'permanent' }],
  [-112, 'zns', { kind: 'permanent' }],
  [-1121, 'zns', { kind: 'permanent' }],
  [-1122, 'zns', { kind: 'permanent' }],
  [-1123, 'zns', { kind: 'permanent' }],
  [-1124, 'zns', { kind: 'permanent' }],
  [-113, 'zns', { kind: 'permanent' }],
  [-116, 'zns', { kind: 'permanent' }],
  [-126, 'zns', { kind: 'permanent' }],
  [-127, 'zns', { kind: 'permanent' }],
  [-132, 'zns', { kind: 'permanent' }],
  [-201, 'oa', { kind: 'permanent' }],
  [-210, 'oa', { kind: 'permanent' }],
  [-233, 'oa', { kind: 'permanent' }],
  // permanent with an alert: template, account, billing, configuration
  [-109, 'zns', { kind: 'permanent', alert: true }],
  [-131, 'zns', { kind: 'permanent', alert: true }],
  [-146, 'zns', { kind: 'permanent', alert: true }],
  [-101, 'zns', { kind: 'permanent', alert: true }],
  [-102, 'zns', { kind: 'permanent', alert: true }],
  [-103, 'zns', { kind: 'permanent', alert: true }],
  [-104, 'zns', { kind: 'permanent', alert: true }],
  [-105, 'zns', { kind: 'permanent', alert: true }],
  [-117, 'zns', { kind: 'permanent', alert: true }],
  [-125, 'zns', { kind: 'permanent', alert: true }],
  [-1241, 'zns', { kind: 'permanent', alert: true }],
  [-135, 'zns', { kind: 'permanent', alert: true }],
  [-1351, 'zns', { kind: 'permanent', alert: true }],
  [-136, 'zns', { kind: 'permanent', alert: true }],
  [-137, 'zns', { kind: 'permanent', alert: true }],
  [-138, 'zns', { kind: 'permanent', alert: true }],
  [-204, 'oa', { kind: 'permanent', alert: true }],
  [-205, 'oa', { kind: 'permanent', alert: true }],
  [-209, 'oa', { kind: 'permanent', alert: true }],
  [-212, 'oa', { kind: 'permanent', alert: true }],
  [-219, 'oa', { kind: 'permanent', alert: true }],
  [-221, 'oa', { kind: 'permanent', alert: true }],
  [-223, 'oa', { kind: 'permanent', alert: true }],
  [-224, 'oa', { kind: 'permanent', alert: true }],
  [-240, 'oa', { kind: 'permanent', alert: true }],
  [-242, 'oa', { kind: 'permanent', alert: true }],
  [-248, 'oa', { kind: 'permanent', alert: true }],
  [-320, 'oa', { kind: 'permanent', alert: true }],
  [-321, 'oa', { kind: 'permanent', alert: true }],
];

describe('decide', () => {
  it.each(TABLE)('%i on %s → %o', (code, api, expected) => {
    const { decision, meaning } = decide(code, api);
    expect(decision).toEqual(expected);
    expect(meaning.length).toBeGreaterThan(3);
  });

  it('covers every code it knows in this table (nothing decided without a test)', () => {
    const tested = new Set(TABLE.map(([code]) => code));
    for (const api of ['oa', 'zns'] as const) {
      expect(knownCodes(api).filter((c) => !tested.has(c))).toEqual([]);
    }
  });

  it('treats an unknown code as permanent with an alert, and says which code it was', () => {
    for (const code of [-999, -14014, 7, -1]) {
      const { decision, meaning } = decide(code, 'zns');
      expect(decision).toEqual({ kind: 'permanent', alert: true });
      expect(meaning).toContain(String(code));
    }
  });

  it('gives meanings in Vietnamese', () => {
    expect(decide(-230, 'oa').meaning).toBe('người dùng không tương tác với OA trong 7 ngày qua');
    expect(decide(-118, 'zns').meaning).toContain('không có tài khoản Zalo');
    expect(decide(-133, 'zns').meaning).toContain('ban đêm');
  });
});

describe('decideTransport', () => {
  it('bounds retries where Zalo may already have delivered', () => {
    expect(decideTransport('timeout').decision).toEqual({ kind: 'retry', maxAttempts: 3 });
    expect(decideTransport('network').decision).toEqual({ kind: 'retry', maxAttempts: 3 });
    expect(decideTransport('http', 503)).toEqual({ decision: { kind: 'retry' }, meaning: 'Zalo trả về lỗi HTTP 503' });
  });
});

describe('deferUntil', () => {
  // DateTime.fromISO reads the clock (luxon fills fields from "now"); Date.parse does not.
  const at = (text: string) => DateTime.fromMillis(Date.parse(text), { zone: ZONE });
  const iso = (d: DateTime) => d.setZone(ZONE).toISO({ suppressMilliseconds: true });
  const zero = () => 0;
  const half = () => 0.5;
  const almostOne = () => 0.9999999;

  it('night_end: from 22:30 to tomorrow 06:00 local, plus 0–10 min of jitter', () => {
    expect(iso(deferUntil('night_end', at('2027-10-29T22:30:00+07:00'), ZONE, zero))).toBe('2027-10-30T06:00:00+07:00');
    expect(iso(deferUntil('night_end', at('2027-10-29T22:30:00+07:00'), ZONE, half))).toBe('2027-10-30T06:05:00+07:00');
    expect(deferUntil('night_end', at('2027-10-29T22:30:00+07:00'), ZONE, almostOne) < at('2027-10-30T06:10:00+07:00')).toBe(true);
  });

  it('night_end: before 06:00 it is the same morning, whatever the UTC date', () => {
    // 03:00 in Hà Nội is 20:00 UTC the day before.
    expect(iso(deferUntil('night_end', at('2027-10-29T20:00:00Z'), ZONE, zero))).toBe('2027-10-30T06:00:00+07:00');
    expect(iso(deferUntil('night_end', at('2027-10-30T00:00:00+07:00'), ZONE, half))).toBe('2027-10-30T06:05:00+07:00');
    expect(iso(deferUntil('night_end', at('2027-10-30T05:59:59+07:00'), ZONE, zero))).toBe('2027-10-30T06:00:00+07:00');
  });

  it('night_end: in the morning Zalo and we disagree by a little, so a few minutes later', () => {
    expect(iso(deferUntil('night_end', at('2027-10-30T06:01:00+07:00'), ZONE, zero))).toBe('2027-10-30T06:06:00+07:00');
  });

  it('night_end: across a month and a year end', () => {
    expect(iso(deferUntil('night_end', at('2027-12-31T23:59:00+07:00'), ZONE, zero))).toBe('2028-01-01T06:00:00+07:00');
  });

  it('next_day: next local midnight + 5 min, plus 0–10 min of jitter', () => {
    expect(iso(deferUntil('next_day', at('2027-10-29T14:00:00+07:00'), ZONE, zero))).toBe('2027-10-30T00:05:00+07:00');
    expect(iso(deferUntil('next_day', at('2027-10-29T14:00:00+07:00'), ZONE, half))).toBe('2027-10-30T00:10:00+07:00');
    // 23:30 local is 16:30 UTC the same day: still the next local day.
    expect(iso(deferUntil('next_day', at('2027-10-29T16:30:00Z'), ZONE, zero))).toBe('2027-10-30T00:05:00+07:00');
    // Local 06:00 on the 30th is 23:00 UTC on the 29th: the quota resets at local midnight of the 31st.
    expect(iso(deferUntil('next_day', at('2027-10-29T23:00:00Z'), ZONE, zero))).toBe('2027-10-31T00:05:00+07:00');
    expect(iso(deferUntil('next_day', at('2028-02-28T20:00:00+07:00'), ZONE, zero))).toBe('2028-02-29T00:05:00+07:00');
  });

  it('next_day: in the first minutes after midnight, the same day 00:05', () => {
    expect(iso(deferUntil('next_day', at('2027-10-30T00:02:00+07:00'), ZONE, zero))).toBe('2027-10-30T00:05:00+07:00');
  });

  it('next_minute: start of the next minute plus 0–20 s', () => {
    expect(iso(deferUntil('next_minute', at('2027-10-29T10:15:42.123+07:00'), ZONE, zero))).toBe('2027-10-29T10:16:00+07:00');
    expect(iso(deferUntil('next_minute', at('2027-10-29T10:15:42.123+07:00'), ZONE, half))).toBe('2027-10-29T10:16:10+07:00');
  });

  it('later: one hour on', () => {
    expect(iso(deferUntil('later', at('2027-10-29T10:15:00+07:00'), ZONE, half))).toBe('2027-10-29T11:15:00+07:00');
  });

  it('works in another zone', () => {
    expect(iso(deferUntil('night_end', at('2027-10-29T22:30:00+07:00'), 'Asia/Tokyo', zero))).toBe('2027-10-30T04:00:00+07:00');
  });

  it('is always in the future', () => {
    for (const kind of ['night_end', 'next_day', 'next_minute', 'later'] as const) {
      for (let h = 0; h < 24; h++) {
        const now = at(`2027-10-29T${String(h).padStart(2, '0')}:59:59+07:00`);
        expect(deferUntil(kind, now, ZONE, zero) > now).toBe(true);
      }
    }
  });
});

describe('trackingIdFor', () => {
  it('is deterministic, at most 48 characters of [A-Za-z0-9_]', () => {
    const key = 'delivery:2027-10-30:công-đoàn-cơ-sở/42:zalo_zns';
    const id = trackingIdFor(key);
    expect(id).toBe(trackingIdFor(key));
    expect(id).toMatch(/^[A-Za-z0-9_]{1,48}$/);
    expect(id).toMatch(/^hc[0-9a-f]{40}$/);
  });

  it('differs for different keys (no collisions across 10,000 keys)', () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => trackingIdFor(`delivery-${i}`)));
    expect(ids.size).toBe(10_000);
    expect(trackingIdFor('a')).not.toBe(trackingIdFor('b'));
  });
});
