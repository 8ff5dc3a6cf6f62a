import formbody from '@fastify/formbody';
import type { Registry } from 'prom-client';
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
import type { AssignmentRef, AssignmentStore, DeliveryLogStore, DigestStore, EscalationStore, ExtensionRequest, ReportStore } from '../app/stores.js';
import type { Settings } from '../app/catalogue/catalogue.js';
import { previewRule, RulePreviewError } from '../app/rule-preview.js';
import { verifyFeed, verifyLink, type FeedClaims } from '../domain/signed-link.js';
import { buildCalendarFeed, type CalendarFeedDeps } from '../app/calendar-feed.js';
import { localDateOf } from '../domain/instant.js';
import { ackBody, completeBody, decisionBody, deliveriesQuery, extensionBody, idParams, linkForm, obligationsQuery, previewBody, reasonBody, refParams, remindParams, reportQuery, yearParams } from './schemas.js';
import { openApiDocument } from './openapi.js';
import { authorizeObligation, CatalogueEditError, contactBody, createDirective, createUnit, obligationsInScope, unitBody, unitPatchBody, updateUnit, deleteContact, deleteObligation, obligationBody, saveContact, saveObligation, type CatalogueEditDeps } from '../app/catalogue-edit.js';
import { directiveHeader } from '../app/catalogue/schemas.js';
import { registerConsole, type QueueInspector } from './console.js';
import type { DraftStore } from '../app/directive-import.js';
import { SESSION_COOKIE, sessionCookie } from './session.js';
import { RemindError, remindNowQueued, type RemindQueuedDeps } from '../app/remind-now.js';
import { calendarYear } from '../app/calendar-report.js';
import { addCalendarDay, addCalendarSwap, authorizeCalendarEdit, calendarDateParams, calendarDayBody, calendarSwapBody, overridesJson, removeCalendarDay, type CalendarEditDeps, type CalendarOverrideStore } from '../app/calendar-edit.js';
import { apiDocsPage, confirmPage, LINK_PROBLEMS, loginPage, resultPage } from './pages.js';
import { AccessError, authorize, login, logout, principalFromBearer, principalFromSession, type AccessDeps } from '../app/access.js';
import { readableUnits, type Action, type Principal } from '../domain/access.js';

export interface HttpDeps {
  readonly assignments: AssignmentDeps & { readonly store: AssignmentDeps['store'] & AssignmentStore & ReportStore & DeliveryLogStore & DigestStore & CatalogueEditDeps['store'] & CalendarOverrideStore & Pick<EscalationStore, 'escalationSteps' | 'openAssignmentsDueBetween'> };
  /** settings.yaml: defaults for the rule preview. */
  readonly settings: Settings;
  /** Signs and checks one-click links. */
  readonly secret: string;
  /** Machine tokens, users and sessions (HANCHOT_ADMIN_TOKEN is the bootstrap admin). */
  readonly access: AccessDeps;
  /** PUBLIC_URL: an https address makes the session cookie Secure. */
  readonly publicUrl?: string;
  readonly logger?: boolean;
  /** The console's queue inspector (BullMQ). */
  readonly queues?: QueueInspector;
  /** Prometheus registry served at /metrics to admin callers (absent: 404). */
  readonly metrics?: Registry;
  /** Proxies trusted for X-Forwarded-For (HANCHOT_TRUST_PROXY): the login limit counts by client address. */
  readonly trustProxy?: boolean | string;
  /** Calendar feeds (GET /ical/<token>.ics); absent: 404. */
  readonly feeds?: CalendarFeedDeps;
  /** The subscription address of a calendar feed (the console offers it). */
  readonly feedLink?: (claims: FeedClaims) => string;
  /** "Send now" from the console and the API: fanned out here, sent by the workers. */
  readonly remind?: RemindQueuedDeps;
  /** /readyz: whether PostgreSQL and Redis answer. */
  readonly ready?: () => Promise<Record<string, boolean>>;
  /** Directive import drafts: the console's import page reads pasted text (absent: manual entry only). */
  readonly drafts?: DraftStore;
}

/**
 * The HTTP side of completion: one-click link pages (no state change on GET) and the v1 API for
 * assignments, extensions and the report. The full console and its roles arrive later; until
 * then the API has one bearer token, the admin's.
 */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  // Signed link tokens are longer than fastify's default 100-character path parameter.
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 64 * 1024, trustProxy: deps.trustProxy ?? false, routerOptions: { maxParamLength: 1024 } });
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const ad = deps.assignments;

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ZodError) {
      return reply.code(400).send({ error: 'invalid_request', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    if (error instanceof CatalogueEditError) return reply.code(error.status).send({ error: error.status === 400 ? 'invalid_request' : error.status === 404 ? 'not_found' : 'conflict', message: error.message, issues: error.issues });
    if (error instanceof RulePreviewError) return reply.code(400).send({ error: 'invalid_request', issues: error.issues });
    if (error instanceof AccessError) return reply.code(error.status).send({ error: error.status === 403 ? 'forbidden' : error.status === 404 ? 'not_found' : 'denied', message: error.message });
    if (error instanceof AssignmentError) {
      const code = { not_found: 404, conflict: 409, invalid: 400 }[error.code];
      return reply.code(code).send({ error: error.code, message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    // A console form (not the API) too large to read: a page in Vietnamese saying what to do.
    if (status === 413 && !request.url.startsWith('/api/')) {
      return html(reply, 413, '<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><title>Nội dung quá lớn – Hạn Chót</title><p>Nội dung gửi lên quá lớn. Với văn bản dài, hãy chỉ dán phần nội dung chính (bỏ phụ lục), hoặc dùng lệnh <code>hanchot import</code>.</p><p><a href="/import">Quay lại</a></p></html>');
    }
    if (status && status < 500) return reply.code(status).send({ error: 'bad_request', message: (error as Error).message });
    app.log.error(error);
    return reply.code(500).send({ error: 'internal', message: 'lỗi máy chủ; hãy thử lại sau' });
  });

  app.get('/healthz', async () => ({ ok: true }));
  const docs = openApiDocument(deps.publicUrl ?? 'http://localhost:3000');
  app.get('/api/docs/json', async () => docs);
  app.get('/api/docs', async (_request, reply) => html(reply, 200, apiDocsPage(docs as Parameters<typeof apiDocsPage>[0])));
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

  // ── who is asking ────────────────────────────────────────────────────────
  const access = deps.access;
  type Caller = { principal: Principal; csrfToken?: string };
  const callerOf = async (request: FastifyRequest): Promise<Caller | undefined> => {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      const principal = await principalFromBearer(access, bearer);
      return principal && { principal };
    }
    const session = sessionCookie(request);
    const found = session ? await principalFromSession(access, session) : undefined;
    return found && { principal: found.principal, csrfToken: found.csrfToken };
  };
  const principals = new WeakMap<FastifyRequest, Principal>();
  const principalOf = (request: FastifyRequest): Principal => principals.get(request)!;

  // ── Prometheus ────────────────────────────────────────────────────────────
  app.get('/metrics', async (request, reply) => {
    if (!deps.metrics) return reply.code(404).send();
    const caller = await callerOf(request);
    if (!caller) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'cần mã truy cập quản trị' });
    if (caller.principal.role !== 'admin') return reply.code(403).send({ error: 'forbidden', message: 'chỉ quản trị viên' });
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });

  // ── API v1 ────────────────────────────────────────────────────────────────
  // The bootstrap admin may name who it acts for ("actor"); everyone else acts as themselves.
  const actorOf = (request: FastifyRequest, body: { actor?: string } | undefined) => {
    const p = principalOf(request);
    return p.actor === 'api:admin' && body?.actor?.trim() ? `api:${body.actor.trim()}` : p.actor;
  };
  const refOf = (params: unknown): AssignmentRef => refParams.parse(params);
  const allow = (request: FastifyRequest, action: Action, unitId: string) => authorize(access.store, principalOf(request), action, unitId);

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const caller = await callerOf(request);
      if (!caller) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'cần mã truy cập (Authorization: Bearer …) hoặc đăng nhập' });
      }
      // A console session changes state only with its CSRF token (a bearer token is not sent by browsers on their own).
      if (caller.csrfToken !== undefined && request.method !== 'GET' && request.method !== 'HEAD' && request.headers['x-csrf-token'] !== caller.csrfToken) {
        return reply.code(403).send({ error: 'csrf', message: 'thiếu hoặc sai mã chống giả mạo (X-CSRF-Token)' });
      }
      principals.set(request, caller.principal);
    });
    const base = '/api/v1/assignments/:obligationId/:occurrenceKey/:unitId';
    api.get(base, async (request) => {
      const ref = refOf(request.params);
      await allow(request, 'read', ref.unitId);
      const a = await ad.store.assignment(ref);
      if (!a) throw new AssignmentError('not_found', 'không có nhiệm vụ này');
      const [history, extensions] = await Promise.all([ad.store.auditOf('assignment', `${ref.obligationId}|${ref.occurrenceKey}|${ref.unitId}`), ad.store.extensionRequests({ ref })]);
      return { assignment: a, history, extensions: extensions.map(extensionJson) };
    });
    api.post(`${base}/complete`, async (request) => {
      const body = completeBody.parse(request.body ?? {});
      const ref = refOf(request.params);
      await allow(request, 'complete', ref.unitId);
      const r = await completeAssignment(ad, ref, { actor: actorOf(request, body), note: body.note, evidence: body.evidence });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/reopen`, async (request) => {
      const body = reasonBody.parse(request.body ?? {});
      const ref = refOf(request.params);
      await allow(request, 'reopen', ref.unitId);
      const r = await reopenAssignment(ad, ref, { actor: actorOf(request, body), reason: body.reason });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/acknowledge`, async (request) => {
      const body = ackBody.parse(request.body ?? {});
      const ref = refOf(request.params);
      await allow(request, 'acknowledge', ref.unitId);
      const r = await acknowledgeAssignment(ad, ref, { actor: actorOf(request, body), step: body.step });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/waive`, async (request) => {
      const body = reasonBody.parse(request.body ?? {});
      const ref = refOf(request.params);
      await allow(request, 'waive', ref.unitId);
      const r = await waiveAssignment(ad, ref, { actor: actorOf(request, body), reason: body.reason });
      return { changed: r.changed, assignment: r.assignment };
    });
    api.post(`${base}/extension-requests`, async (request, reply) => {
      const body = extensionBody.parse(request.body ?? {});
      const ref = refOf(request.params);
      await allow(request, 'request_extension', ref.unitId);
      const r = await requestExtension(ad, ref, { actor: actorOf(request, body), reason: body.reason, proposedDue: body.proposedDue });
      return reply.code(201).send(extensionJson(r));
    });
    for (const decision of ['approve', 'reject'] as const) {
      api.post(`/api/v1/extension-requests/:id/${decision}`, async (request) => {
        const { id } = z.strictObject({ id: z.coerce.number().int().positive() }).parse(request.params);
        const body = decisionBody.parse(request.body ?? {});
        const found = await ad.store.extensionRequest(id);
        if (!found) throw new AssignmentError('not_found', `không có đề nghị gia hạn số ${id}`);
        // Decided by an admin above the unit that asked (Ban Thường vụ / văn phòng cấp trên).
        await allow(request, 'decide_extension', found.unitId);
        return extensionJson(await decideExtension(ad, id, { actor: actorOf(request, body), approve: decision === 'approve', note: body.note }));
      });
    }
    api.get('/api/v1/extension-requests', async (request) => {
      const { status } = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }).parse(request.query);
      const readable = readableUnits(principalOf(request), await ad.store.units());
      const all = await ad.store.extensionRequests({ status });
      return { extensionRequests: all.filter((r) => readable === 'all' || readable.has(r.unitId)).map(extensionJson) };
    });
    api.get('/api/v1/report', async (request) => {
      const q = reportQuery.parse(request.query);
      const principal = principalOf(request);
      // Without ?unit= a principal sees its own unit and below.
      const unitId = q.unit ?? principal.unitId ?? undefined;
      if (unitId) await allow(request, 'read', unitId);
      // An officer's scope is its own unit, not the units below it.
      return buildReport(ad.store, { unitId, onlyThatUnit: principal.role === 'officer', from: q.from, to: q.to, today: localDateOf(ad.clock.now(), ad.calendar.zone) });
    });
    api.get('/api/v1/me', async (request) => principalOf(request));
    api.get('/api/v1/units', async (request) => {
      const snapshot = await edit.store.snapshot('all');
      const readable = readableUnits(principalOf(request), [...snapshot.units.values()].map((u) => ({ id: u.id, parent: u.parentId })));
      const contacts = [...snapshot.contacts.values()];
      return {
        units: [...snapshot.units.values()]
          .filter((u) => readable === 'all' || readable.has(u.id))
          .map((u) => ({ ...u, contacts: contacts.filter((c) => c.unitId === u.id) })),
      };
    });
    api.post('/api/v1/units', async (request, reply) => {
      const body = unitBody.parse(request.body ?? {});
      return reply.code(201).send(await createUnit(edit, body, principalOf(request)));
    });
    api.patch('/api/v1/units/:id', async (request) => {
      const { id } = idParams.parse(request.params);
      const body = unitPatchBody.parse(request.body ?? {});
      return updateUnit(edit, id, body, principalOf(request));
    });
    api.post('/api/v1/contacts', async (request, reply) => {
      const body = contactBody.parse(request.body ?? {});
      return reply.code(201).send(await saveContact(edit, body, principalOf(request), 'create'));
    });
    api.put('/api/v1/contacts/:id', async (request) => {
      const { id } = idParams.parse(request.params);
      const body = contactBody.parse(request.body ?? {});
      if (body.id !== id) throw new CatalogueEditError(400, 'id trong đường dẫn và trong nội dung khác nhau', [{ path: 'id', message: `phải là "${id}"` }]);
      return saveContact(edit, body, principalOf(request), 'replace');
    });
    api.delete('/api/v1/contacts/:id', async (request, reply) => {
      const { id } = idParams.parse(request.params);
      await deleteContact(edit, id, principalOf(request));
      return reply.code(204).send();
    });
    // ── calendar: the year as used (config/ and the edits over it); edits by an admin of the root unit ──
    const calendarEdit: CalendarEditDeps = { store: ad.store, access: access.store, queue: ad.queue, clock: ad.clock, calendar: ad.calendar };
    api.get('/api/v1/calendar/:year', async (request) => {
      const { year } = yearParams.parse(request.params);
      return { ...calendarYear(ad.calendar, year), edits: overridesJson(ad.calendar, year) };
    });
    api.post('/api/v1/calendar/:year/days', async (request, reply) => {
      const { year } = yearParams.parse(request.params);
      await authorizeCalendarEdit(calendarEdit, principalOf(request));
      const body = calendarDayBody.parse(request.body ?? {});
      return reply.code(201).send(overrideJson(await addCalendarDay(calendarEdit, year, body, principalOf(request))));
    });
    api.post('/api/v1/calendar/:year/swaps', async (request, reply) => {
      const { year } = yearParams.parse(request.params);
      await authorizeCalendarEdit(calendarEdit, principalOf(request));
      const body = calendarSwapBody.parse(request.body ?? {});
      return reply.code(201).send({ days: (await addCalendarSwap(calendarEdit, year, body, principalOf(request))).map(overrideJson) });
    });
    api.delete('/api/v1/calendar/:year/days/:date', async (request, reply) => {
      await authorizeCalendarEdit(calendarEdit, principalOf(request));
      const { year, date } = calendarDateParams.parse(request.params);
      await removeCalendarDay(calendarEdit, year, date, principalOf(request));
      return reply.code(204).send();
    });
    api.post('/api/v1/occurrences/:obligationId/:occurrenceKey/remind-now', async (request, reply) => {
      const { obligationId, occurrenceKey } = remindParams.parse(request.params);
      if (!deps.remind) return reply.code(404).send({ error: 'not_found', message: 'chức năng gửi ngay chưa bật' });
      await authorizeObligation(edit, principalOf(request), obligationId);
      try {
        const r = await remindNowQueued(deps.remind, obligationId, occurrenceKey);
        return reply.code(202).send({ occurrenceKey: r.occurrence.key, step: r.step, deliveries: r.deliveries, created: r.created });
      } catch (err) {
        if (err instanceof RemindError) return reply.code(404).send({ error: 'not_found', message: err.message });
        throw err;
      }
    });

    // ── catalogue: directives and obligations ──
    const edit: CatalogueEditDeps = { store: ad.store, access: access.store, queue: ad.queue, clock: ad.clock, settings: deps.settings, zone: ad.calendar.zone };
    api.get('/api/v1/directives', async () => {
      const snapshot = await edit.store.snapshot('all');
      return { directives: await Promise.all([...snapshot.directives.values()].map(async (d) => ({ ...d, origin: await edit.store.originOf('directives', d.id) }))) };
    });
    api.post('/api/v1/directives', async (request, reply) => {
      const body = directiveHeader.parse(request.body ?? {});
      return reply.code(201).send(await createDirective(edit, body, principalOf(request)));
    });
    api.get('/api/v1/obligations', async (request) => {
      const q = obligationsQuery.parse(request.query);
      const { obligations: list } = await obligationsInScope(edit.store, principalOf(request), { directiveId: q.directive, unitId: q.unit });
      return { obligations: await Promise.all(list.map(async (o) => ({ ...o, origin: await edit.store.originOf('obligations', o.id) }))) };
    });
    api.get('/api/v1/obligations/:id', async (request) => {
      const { id } = idParams.parse(request.params);
      // Outside the caller's scope it does not exist.
      const [o] = (await obligationsInScope(edit.store, principalOf(request), { id })).obligations;
      if (!o) throw new CatalogueEditError(404, `không có nhiệm vụ "${id}"`);
      return { ...o, origin: await edit.store.originOf('obligations', id) };
    });
    api.post('/api/v1/obligations', async (request, reply) => {
      const body = obligationBody.parse(request.body ?? {});
      return reply.code(201).send(await saveObligation(edit, body, principalOf(request), 'create'));
    });
    api.put('/api/v1/obligations/:id', async (request) => {
      const { id } = idParams.parse(request.params);
      const body = obligationBody.parse(request.body ?? {});
      if (body.id !== id) throw new CatalogueEditError(400, 'id trong đường dẫn và trong nội dung khác nhau', [{ path: 'id', message: `phải là "${id}"` }]);
      return saveObligation(edit, body, principalOf(request), 'replace');
    });
    api.delete('/api/v1/obligations/:id', async (request, reply) => {
      const { id } = idParams.parse(request.params);
      await deleteObligation(edit, id, principalOf(request));
      return reply.code(204).send();
    });
    api.post('/api/v1/preview', async (request) => {
      const body = previewBody.parse(request.body ?? {});
      return previewRule(body, deps.settings, ad.calendar, localDateOf(ad.clock.now(), ad.calendar.zone));
    });
    api.get('/api/v1/deliveries', async (request) => {
      const q = deliveriesQuery.parse(request.query);
      const principal = principalOf(request);
      if (q.unit) await allow(request, 'read', q.unit);
      const readable = readableUnits(principal, await ad.store.units());
      const unitIds = q.unit ? (readable === 'all' ? [q.unit] : [...readable].filter((u) => u === q.unit)) : readable === 'all' ? undefined : [...readable];
      const rows = await ad.store.deliveryLog({ obligationId: q.obligation, unitIds, status: q.status, channel: q.channel, limit: q.limit, beforeId: q.before });
      return { deliveries: rows.map((d) => ({ ...d, fireAt: d.fireAt.toISO(), sentAt: d.sentAt?.toISO() ?? null, updatedAt: d.updatedAt.toISO() })), next: rows.length === q.limit ? rows.at(-1)!.id : null };
    });
  });

  // ── console sign-in ──────────────────────────────────────────────────────
  const secureCookie = deps.publicUrl?.startsWith('https:') ?? false;
  app.get('/login', async (_request, reply) => html(reply, 200, loginPage()));
  app.post('/login', async (request, reply) => {
    // Login CSRF: a browser posting from another site says so (Sec-Fetch-Site, Origin).
    const site = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    if (site === 'cross-site' || (origin !== undefined && origin !== 'null' && new URL(origin).host !== request.headers.host)) {
      return html(reply, 403, loginPage('Yêu cầu đăng nhập đến từ trang khác: hãy mở trang đăng nhập của Hạn Chót và thử lại.'));
    }
    const form = z.object({ username: z.string().max(100), password: z.string().max(1000) }).safeParse(request.body ?? {});
    if (!form.success) return html(reply, 400, loginPage('Hãy nhập tên đăng nhập và mật khẩu.'));
    try {
      const session = await login(access, { username: form.data.username, password: form.data.password, address: request.ip });
      const cookie = [`${SESSION_COOKIE}=${session.sessionId}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${12 * 3600}`, ...(secureCookie ? ['Secure'] : [])].join('; ');
      return reply.code(303).header('set-cookie', cookie).header('location', '/').send();
    } catch (e) {
      if (e instanceof AccessError) return html(reply, e.status, loginPage(e.message));
      throw e;
    }
  });
  app.post('/logout', async (request, reply) => {
    const session = sessionCookie(request);
    if (session) {
      const found = await principalFromSession(access, session);
      const form = z.object({ _csrf: z.string() }).safeParse(request.body ?? {});
      if (!found || !form.success || form.data._csrf !== found.csrfToken) return html(reply, 403, resultPage('Không đăng xuất được', 'Thiếu mã chống giả mạo; hãy tải lại trang.', 'bad'));
      await logout(access, session);
    }
    return reply.code(303).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`).header('location', '/login').send();
  });
  await registerConsole(app, {
    access,
    assignments: ad,
    edit: { store: ad.store, access: access.store, queue: ad.queue, clock: ad.clock, settings: deps.settings, zone: ad.calendar.zone },
    settings: deps.settings,
    remind: deps.remind,
    feedLink: deps.feedLink,
    queues: deps.queues,
    ...(deps.drafts ? { drafts: deps.drafts } : {}),
  });
  return app;
}


function overrideJson(o: { createdAt: { toISO(): string | null } }) {
  return { ...o, createdAt: o.createdAt.toISO() };
}

function extensionJson(r: ExtensionRequest) {
  return { ...r, requestedAt: r.requestedAt.toISO(), decidedAt: r.decidedAt?.toISO() ?? null };
}
