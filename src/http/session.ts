import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'hc_session';

/** The session id from the Cookie header (one cookie of ours; parsed by hand, nothing else is read). */
export function sessionCookie(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) {
      const v = value.join('=');
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}
