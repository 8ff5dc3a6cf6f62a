import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click links in reminders: what the link lets its holder do, bound to one assignment and
 * one contact, with an expiry, signed with HMAC-SHA256 under the server secret. Pure: the
 * caller passes the secret and the time.
 */
export type LinkAction = 'done' | 'ack';

export interface LinkClaims {
  readonly action: LinkAction;
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly unitId: string;
  readonly contactId: string;
  /** The reminder step the link came with (an acknowledgement names it). */
  readonly step: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

export type LinkCheck =
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'expired'; readonly claims?: LinkClaims };

const VERSION = 'v1';

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function mac(body: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();
}

export function signLink(claims: LinkClaims, secret: string): string {
  const body = b64(JSON.stringify([claims.action, claims.obligationId, claims.occurrenceKey, claims.unitId, claims.contactId, claims.step, claims.expiresAt]));
  return `${VERSION}.${body}.${b64(mac(body, secret))}`;
}

/** Checks signature first (nothing unsigned is parsed into claims), then expiry against `nowSeconds`. */
export function verifyLink(token: string, secret: string, nowSeconds: number): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) return { ok: false, reason: 'malformed' };
  // Compared as text: base64url's last character has spare bits a decoder ignores, so comparing
  // decoded bytes would accept four spellings of one signature.
  const expected = Buffer.from(b64(mac(parts[1]!, secret)));
  const given = Buffer.from(parts[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: LinkClaims;
  try {
    const a = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown[];
    if (!Array.isArray(a) || a.length !== 7 || (a[0] !== 'done' && a[0] !== 'ack') || !a.slice(1, 6).every((x) => typeof x === 'string') || typeof a[6] !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    claims = { action: a[0], obligationId: a[1] as string, occurrenceKey: a[2] as string, unitId: a[3] as string, contactId: a[4] as string, step: a[5] as string, expiresAt: a[6] };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (nowSeconds > claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** Whose deadlines a calendar feed shows. */
export interface FeedClaims {
  readonly kind: 'unit' | 'contact';
  readonly id: string;
}

const FEED_VERSION = 'f1';

/**
 * A calendar subscription token: long-lived (calendar apps poll it for years), so it has no
 * expiry; it is bound to one unit or contact and signed apart from action links (another
 * prefix in the MAC), so one kind can never pass for the other. Rotating the secret revokes all.
 */
export function signFeed(claims: FeedClaims, secret: string): string {
  const body = b64(JSON.stringify([claims.kind, claims.id]));
  return `${FEED_VERSION}.${body}.${b64(createHmac('sha256', secret).update(`${FEED_VERSION}.${body}`).digest())}`;
}

export function verifyFeed(token: string, secret: string): FeedClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== FEED_VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) return undefined;
  const expected = Buffer.from(b64(createHmac('sha256', secret).update(`${FEED_VERSION}.${parts[1]}`).digest()));
  const given = Buffer.from(parts[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const a = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown[];
    if (Array.isArray(a) && a.length === 2 && (a[0] === 'unit' || a[0] === 'contact') && typeof a[1] === 'string') return { kind: a[0], id: a[1] };
  } catch {
    // not JSON: refused below
  }
  return undefined;
}
