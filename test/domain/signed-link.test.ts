import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, type LinkClaims } from '../../src/domain/signed-link.js';

const SECRET = 'test-secret-0123456789abcdef';
const EXPIRES = 1_830_000_000; // 2027-12-28, seconds since the epoch
const CLAIMS: LinkClaims = {
  action: 'done',
  obligationId: 'dmc-159-2020.thematic-report',
  occurrenceKey: '2027',
  unitId: 'cdcs-truong-thcs-a',
  contactId: 'nguyen-van-a',
  step: '7d',
  expiresAt: EXPIRES,
};

/** The characters a token is made of (base64url and the separator). */
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const replaceAt = (s: string, i: number, c: string) => `${s.slice(0, i)}${c}${s.slice(i + 1)}`;

const claimsArb: fc.Arbitrary<LinkClaims> = fc.record({
  action: fc.constantFrom('done' as const, 'ack' as const),
  obligationId: fc.string({ unit: 'grapheme', maxLength: 40 }),
  occurrenceKey: fc.string({ maxLength: 20 }),
  unitId: fc.string({ unit: 'grapheme', maxLength: 30 }),
  contactId: fc.string({ maxLength: 30 }),
  step: fc.string({ maxLength: 20 }),
  expiresAt: fc.integer({ min: 0, max: 4_000_000_000 }),
});
const secretArb = fc.string({ minLength: 1, maxLength: 64 });

describe('signLink / verifyLink', () => {
  it('round trip: the claims come back unchanged', () => {
    const token = signLink(CLAIMS, SECRET);
    expect(verifyLink(token, SECRET, EXPIRES - 3600)).toEqual({ ok: true, claims: CLAIMS });
  });

  it('round trip for arbitrary claims (Vietnamese, emoji, empty strings)', () => {
    fc.assert(
      fc.property(claimsArb, secretArb, (claims, secret) => {
        expect(verifyLink(signLink(claims, secret), secret, claims.expiresAt)).toEqual({ ok: true, claims });
      }),
    );
  });

  it('tokens are "v1.<body>.<signature>" in URL-safe characters only', () => {
    fc.assert(
      fc.property(claimsArb, secretArb, (claims, secret) => {
        const token = signLink(claims, secret);
        expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
        expect(encodeURIComponent(token)).toBe(token);
      }),
    );
  });

  it('exactly at expiresAt the link is still good; one second later it has expired, with the claims', () => {
    const token = signLink(CLAIMS, SECRET);
    expect(verifyLink(token, SECRET, EXPIRES)).toEqual({ ok: true, claims: CLAIMS });
    expect(verifyLink(token, SECRET, EXPIRES + 1)).toEqual({ ok: false, reason: 'expired', claims: CLAIMS });
  });

  it('a wrong secret is a bad signature, even when the link has expired (the signature is checked first)', () => {
    const token = signLink(CLAIMS, SECRET);
    expect(verifyLink(token, `${SECRET}x`, EXPIRES)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLink(token, 'another-secret', EXPIRES + 10_000)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('a signature moved onto other claims is a bad signature', () => {
    const [v, , sig] = signLink(CLAIMS, SECRET).split('.');
    const [, otherBody] = signLink({ ...CLAIMS, action: 'ack' }, SECRET).split('.');
    expect(verifyLink(`${v}.${otherBody}.${sig}`, SECRET, EXPIRES)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    { name: 'the empty string', token: () => '' },
    { name: 'two parts', token: () => signLink(CLAIMS, SECRET).split('.').slice(0, 2).join('.') },
    { name: 'four parts', token: () => `${signLink(CLAIMS, SECRET)}.AAAA` },
    { name: 'another version', token: () => signLink(CLAIMS, SECRET).replace(/^v1\./, 'v2.') },
    { name: 'an empty body', token: () => signLink(CLAIMS, SECRET).replace(/^v1\.[^.]+\./, 'v1..') },
    { name: 'padding in the signature', token: () => `${signLink(CLAIMS, SECRET)}=` },
    { name: 'standard base64 "+" in the body', token: () => replaceAt(signLink(CLAIMS, SECRET), 3, '+') },
    { name: 'a space', token: () => ` ${signLink(CLAIMS, SECRET)}` },
  ])('$name is malformed', ({ token }) => {
    expect(verifyLink(token(), SECRET, EXPIRES)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a correctly signed body that is not the 7-claim array is malformed', () => {
    const sign = (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `v1.${body}.${createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url')}`;
    };
    // The helper signs the way signLink does: a genuine payload passes.
    expect(verifyLink(sign(['ack', 'o', 'k', 'u', 'c', 's', EXPIRES]), SECRET, EXPIRES).ok).toBe(true);
    for (const payload of [
      { action: 'done' },
      ['done', 'o', 'k', 'u', 'c', 's'],
      ['delete', 'o', 'k', 'u', 'c', 's', EXPIRES],
      ['done', 'o', 'k', 'u', 'c', 7, EXPIRES],
      ['done', 'o', 'k', 'u', 'c', 's', String(EXPIRES)],
    ]) {
      expect(verifyLink(sign(payload), SECRET, EXPIRES), JSON.stringify(payload)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('tampering: every single-character change is rejected', () => {
  const notOk = (token: string, secret: string, now: number) => {
    const check = verifyLink(token, secret, now);
    expect(check.ok, token).toBe(false);
    if (!check.ok) expect(['bad_signature', 'malformed'], token).toContain(check.reason);
  };

  it('a character of the body replaced by another URL-safe character (fuzzed)', () => {
    fc.assert(
      fc.property(claimsArb, secretArb, fc.nat(), fc.nat(), (claims, secret, at, by) => {
        const token = signLink(claims, secret);
        const [, body] = token.split('.');
        const i = 3 + (at % body!.length);
        const c = URL_SAFE.replace(token[i]!, '')[by % (URL_SAFE.length - 1)]!;
        notOk(replaceAt(token, i, c), secret, claims.expiresAt);
      }),
    );
  });

  it('a character anywhere in the token replaced by any other character (fuzzed, non-signature positions)', () => {
    fc.assert(
      fc.property(claimsArb, secretArb, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), (claims, secret, at, c) => {
        const token = signLink(claims, secret);
        const signatureStart = token.lastIndexOf('.') + 1;
        const i = at % signatureStart; // version, separators and body
        fc.pre(token[i] !== c);
        notOk(replaceAt(token, i, c), secret, claims.expiresAt);
      }),
    );
  });

  // HMAC-SHA256 is 32 bytes: 43 base64url characters, the last of which carries only 4 bits.
  // A decoder that ignores the 2 spare bits accepts 3 other spellings of the same signature.
  it('every character of the signature, replaced by each of the other 63 URL-safe characters (arbitrary claims)', () => {
    fc.assert(
      fc.property(claimsArb, secretArb, (claims, secret) => {
        const token = signLink(claims, secret);
        const signatureStart = token.lastIndexOf('.') + 1;
        for (let i = signatureStart; i < token.length; i++) {
          for (const c of URL_SAFE) if (c !== token[i]) notOk(replaceAt(token, i, c), secret, claims.expiresAt);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('the last signature character, for the fixed claims', () => {
    const token = signLink(CLAIMS, SECRET);
    const last = token.length - 1;
    const accepted = [...URL_SAFE].filter((c) => c !== token[last] && verifyLink(replaceAt(token, last, c), SECRET, EXPIRES).ok);
    expect(accepted).toEqual([]);
  });
});

describe('garbage never throws and is never accepted', () => {
  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer(), (token, now) => {
        expect(verifyLink(token, SECRET, now).ok).toBe(false);
      }),
    );
  });

  it('strings shaped like tokens: "v1." + URL-safe body + "." + URL-safe signature', () => {
    const part = fc.string({ unit: fc.constantFrom(...URL_SAFE), minLength: 1, maxLength: 120 });
    fc.assert(
      fc.property(part, part, fc.integer(), (body, sig, now) => {
        const check = verifyLink(`v1.${body}.${sig}`, SECRET, now);
        expect(check.ok).toBe(false);
      }),
    );
  });

  it('a genuine body with an arbitrary signature, and a base64url JSON body with a random signature', () => {
    const [, body] = signLink(CLAIMS, SECRET).split('.');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 48 }), fc.json(), (sig, json) => {
        const s = Buffer.from(sig).toString('base64url') || 'A';
        expect(verifyLink(`v1.${body}.${s}`, SECRET, 0).ok).toBe(false);
        const b = Buffer.from(json).toString('base64url') || 'A';
        expect(verifyLink(`v1.${b}.${s}`, SECRET, 0).ok).toBe(false);
      }),
    );
  });
});
