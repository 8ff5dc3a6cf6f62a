import { createHash, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import {
  acknowledgeAssignment,
  AssignmentError,
  completeAssignment,
  decideExtension,
  reopenAssignment,
  requestExtension,
  waiveAssignment,
  type AssignmentDeps,
} from '../app/assignments.js';
import { buildReport } from '../app/report.js';
import type { AssignmentRef, AssignmentStore, ExtensionRequest, ReportStore } from '../app/stores.js';
import { isIsoDate } from '../domain/civil-date.js';
import { verifyFeed, verifyLink } from '../domain/signed-link.js';
import { buildCalendarFeed, type CalendarFeedDeps } from '../app/calendar-feed.js';
import { localDateOf } from '../domain/instant.js';
import { confirmPage, LINK_PROBLEMS, resultPage } from './pages.js';

export interface HttpDeps {
  readonly assignments: AssignmentDeps & { readonly store: AssignmentDeps['store'] & AssignmentStore & ReportStore };
  /** Signs and checks one-click links. */
  readonly secret: string;
  /** Bearer token for the API (HANCHOT_ADMIN_TOKEN); unset: the API answers 401 to everyone. */
  readonly adminToken?: string;
  readonly logger?: boolean;
  /** Calendar feeds (GET /ical/<token>.ics); absent: 404. */
  readonly feeds?: CalendarFeedDeps;
  /** /readyz: whether PostgreSQL and Redis answer. */
  readonly ready?: () => Promise<Record<string, boolean>>;
}

const isoDate = z.string().refine(isIsoDate, 'cần ngày có thật dạng YYYY-MM-DD');
const refParams = z.strictObject({ obligationId: z.string().min(1).max(200), occurrenceKey: z.string().min(1).max(100), unitId: z.string().min(1).max(200) });
const completeBody = z.strictObject({ note: z.string().max(2000).optional(), evidence: z.string().max(2000).optional(), actor: z.string().max(200).optional() });
const reasonBody = z.strictObject({ reason: z.string().min(1, 'cần ghi lý do').max(2000), actor: z.string().max(200).optional() });
const ackBody = z.strictObject({ step: z.string().min(1).max(100), actor: z.string().max(200).optional() });
const extensionBody = z.strictObject({
  reason: z.string().min(1, 'cần ghi lý do').max(2000),
  proposedDue: isoDate,
  actor: z.string().max(200).optional(),
});
const decisionBody = z.strictObject({ note: z.string().max(2000).optional(), actor: z.string().max(200).optional() });
const reportQuery = z.strictObject({
  unit: z.string().min(1).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
const linkForm = z.object({
  intent: z.enum(['done', 'ack', 'extend']),
  note: z.string().max(2000).optional(),
  evidence: z.string().max(2000).optional(),
  reason: z.string().max(2000).optional(),
  proposedDue: z.string().max(20).optional(),
});

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * The HTTP side of completion: one-click link pages (no state change on GET) and the v1 API for
 * assignments, extensions and the report. The full console and its roles arrive later; until
 * then the API has one bearer token, the admin's.
 */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  // Signed link tokens are longer than fastify's default 100-character path parameter.
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 64 * 1024, trustProxy: true, routerOptions: { maxParamLength: 1024 } });
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const ad = deps.assignments;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ZodError) {
      return reply.code(400).send({ error: 'invalid_request', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    if (error instanceof AssignmentError) {
      const code = { not_found: 404, conflict: 409, invalid: 400 }[error.code];
      return reply.code(code).send({ error: error.code, message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.code(status).send({ error: 'bad_request', message: (error as Error).message });
    app.log.error(error);
    return reply.code(500).send({ error: 'internal', message: 'lỗi máy chủ; hãy thử lại sau' });
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const checks = deps.ready ? await deps.ready() : {};
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, checks });
  });

  // ── calendar feeds ────────────────────────────────────────────────────────
  app.get<{ Params: { file: string } }>('/ical/:file', async (request, reply) => {
    const token = /^(.+)\.ics$/.exec(request.params.file)?.[1];
    const claims = token ? verifyFeed(token, deps.secret) : undefined;
    const ics = claims && deps.feeds ? await buildCalendarFeed(deps.feeds, claims) : undefined;
    // One answer for a forged token and for a deleted unit: a feed address reveals nothing.
    if (!ics) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Không có lịch này (liên kết sai hoặc đã bị thu hồi).');
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', 'inline; filename="han-chot.ics"')
      .header('cache-control', 'private, max-age=300')
      .send(ics);
  });

  // ── one-click links ───────────────────────────────────────────────────────
  const html = (reply: FastifyReply, code: number, body: string) =>
    reply
      .code(code)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
      .send(body);

  const checkLink = async (token: string) => {
    const check = verifyLink(token, deps.secret, Math.floor(ad.clock.now().toSeconds()));
    if (!check.ok) return { problem: check.reason } as const;
    const assignment = await ad.store.assignment(check.claims);
    if (!assignment) return { problem: 'malformed' as const };
    // A link acts for its contact: one who left the unit (deleted, or moved) can no longer use it.
    const contact = await ad.store.contact(check.claims.contactId);
    if (!contact || contact.deleted || contact.unitId !== check.claims.unitId) return { problem: 'revoked' as const };
    return { claims: check.claims, assignment } as const;
  };

  app.get<{ Params: { token: string } }>('/l/:token', async (request, reply) => {
    const found = await checkLink(request.params.token);
    if ('problem' in found) {
      const p = LINK_PROBLEMS[found.problem!];
      return html(reply, found.problem === 'expired' || found.problem === 'revoked' ? 410 : 400, resultPage(p.title, p.message, 'bad'));
    }
    return html(reply, 200, confirmPage(found.assignment, found.claims.action, `/l/${request.params.token}`));
  });

  app.post<{ Params: { token: string } }>('/l/:token', async (request, reply) => {
    const found = await checkLink(request.params.token);
    if ('problem' in found) {
      const p = LINK_PROBLEMS[found.problem!];
      return html(reply, found.problem === 'expired' || found.problem === 'revoked' ? 410 : 400, resultPage(p.title, p.message, 'bad'));
    }
    const { claims } = found;
    const form = linkForm.safeParse(request.body ?? {});
    if (!form.success) return html(reply, 400, resultPage('Yêu cầu không hợp lệ', 'Biểu mẫu gửi lên không đúng. Hãy mở lại liên kết và thử lại.', 'bad'));
    const actor = `contact:${claims.contactId}`;
    // An "Đã nhận" link may only acknowledge; a completion link may complete or ask for more time.
    if (form.data.intent === 'ack' || claims.action === 'ack') {
      const r = await acknowledgeAssignment(ad, claims, { actor, step: claims.step });
      return html(reply, 200, resultPage('Đã ghi nhận', 'Cảm ơn đồng chí: Hạn Chót đã ghi nhận đơn vị đã nhận thông báo.', 'ok', r.assignment));
    }
    try {
      if (form.data.intent === 'extend') {
        const request_ = await requestExtension(ad, claims, { actor, reason: form.data.reason ?? '', proposedDue: form.data.proposedDue ?? '' });
        return html(
          reply,
          200,
          resultPage('Đã gửi đề nghị gia hạn', `Đề nghị gia hạn đến ${request_.proposedDue.split('-').reverse().join('/')} đã được gửi tới văn phòng cấp trên để xem xét.`, 'ok', found.assignment),
        );
      }
      const r = await completeAssignment(ad, claims, { actor, note: form.data.note, evidence: form.data.evidence });
      const late = r.assignment.status === 'done_late';
      return html(
        reply,
        200,
        r.changed
          ? resultPage('Đã ghi nhận hoàn thành', late ? 'Đã ghi nhận: hoàn thành trễ hạn. Đơn vị sẽ không nhận thêm lời nhắc cho nhiệm vụ này.' : 'Đã ghi nhận: hoàn thành đúng hạn. Đơn vị sẽ không nhận thêm lời nhắc cho nhiệm vụ này.', 'ok', r.assignment)
          : resultPage('Đã hoàn thành từ trước', 'Nhiệm vụ này đã được báo hoàn thành trước đó; không có gì thay đổi.', 'ok', r.assignment),
      );
    } catch (e) {
      if (e instanceof AssignmentError) return html(reply, e.code === 'invalid' ? 400 : 409, resultPage('Chưa thực hiện được', e.message, 'warn', found.assignment));
      throw e;
    }
  });

  // ── API v1 ────────────────────────────────────────────────────────────────
  const adminDigest = deps.adminToken ? sha256(deps.adminToken) : undefined;
  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (!adminDigest || !token || !timingSafeEqual(sha256(token), adminDigest)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'cần mã truy cập (Authorization: Bearer …)' });
    }
  };
  const actorOf = (body: { actor?: string } | undefined) => `api:${body?.actor?.trim() || 'admin'}`;
  const refOf = (params: unknown): AssignmentRef => refParams.parse(params);

  await app.register(async (api) => {
    api.addHook('onRequest', requireAdmin);
    const base = '/api/v1/assignments/:obligationId/:occurrenceKey/:unitId';
    api.get(base, async (request) => {
      const ref = refOf(request.params);
      const a = await ad.store.assignment(ref);
      if (!a) throw new AssignmentError('not_found', 'không có nhiệm vụ này');
      const [history, extensions] = await Promise.all([ad.store.auditOf('assignment', `${ref.obligationId}|${ref.occurrenceKey}|${ref.unitId}`), ad.store.extensionRequests({ ref })]);
      return { assignment: a, history, extensions: extensions.map(extensionJson) };
    });
    api.post(`${base}/complete`, async (request) => {
      const body = completeBody.parse(request.body ?? {});
      const r = await completeAssignment(ad, refOf(request.params), { actor: actorOf(body), note: body.note, evidence: body.evidence });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/reopen`, async (request) => {
      const body = reasonBody.parse(request.body ?? {});
      const r = await reopenAssignment(ad, refOf(request.params), { actor: actorOf(body), reason: body.reason });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/acknowledge`, async (request) => {
      const body = ackBody.parse(request.body ?? {});
      const r = await acknowledgeAssignment(ad, refOf(request.params), { actor: actorOf(body), step: body.step });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/waive`, async (request) => {
      const body = reasonBody.parse(request.body ?? {});
      const r = await waiveAssignment(ad, refOf(request.params), { actor: actorOf(body), reason: body.reason });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/extension-requests`, async (request, reply) => {
      const body = extensionBody.parse(request.body ?? {});
      const r = await requestExtension(ad, refOf(request.params), { actor: actorOf(body), reason: body.reason, proposedDue: body.proposedDue });
      return reply.code(201).send(extensionJson(r));
    });
    for (const decision of ['approve', 'reject'] as const) {
      api.post(`/api/v1/extension-requests/:id/${decision}`, async (request) => {
        const { id } = z.strictObject({ id: z.coerce.number().int().positive() }).parse(request.params);
        const body = decisionBody.parse(request.body ?? {});
        return extensionJson(await decideExtension(ad, id, { actor: actorOf(body), approve: decision === 'approve', note: body.note }));
      });
    }
    api.get('/api/v1/extension-requests', async (request) => {
      const { status } = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }).parse(request.query);
      return { extensionRequests: (await ad.store.extensionRequests({ status })).map(extensionJson) };
    });
    api.get('/api/v1/report', async (request) => {
      const q = reportQuery.parse(request.query);
      return buildReport(ad.store, { unitId: q.unit, from: q.from, to: q.to, today: localDateOf(ad.clock.now(), ad.calendar.zone) });
    });
  });
  return app;
}

function extensionJson(r: ExtensionRequest) {
  return { ...r, requestedAt: r.requestedAt.toISO(), decidedAt: r.decidedAt?.toISO() ?? null };
}
