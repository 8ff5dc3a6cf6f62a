import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { QueueName } from '../app/job-definition.js';
import { z, ZodError } from 'zod';
import { AccessError, authorize, createApiToken, principalFromSession, type AccessDeps, type UserRow } from '../app/access.js';
import { AssignmentError, completeAssignment, describeStatus, type AssignmentDeps } from '../app/assignments.js';
import { authorizeObligation, CatalogueEditError, contactBody, obligationsInScope, createDirective, createUnit, obligationBody, saveContact, saveObligation, unitBody, unitPatchBody, updateUnit, type CatalogueEditDeps } from '../app/catalogue-edit.js';
import type { Settings } from '../app/catalogue/catalogue.js';
import { directiveHeader, ruleInput } from '../app/catalogue/schemas.js';
import { buildReport } from '../app/report.js';
import { previewRule, RulePreviewError, type RulePreview } from '../app/rule-preview.js';
import type { AssignmentRef, AssignmentStore, DeliveryLogStore, DigestStore, EscalationStepRow, EscalationStore, ReportStore, StoredObligation } from '../app/stores.js';
import { RemindError, remindNowQueued, type RemindQueuedDeps } from '../app/remind-now.js';
import { addDays, formatVnDate, formatVnDateWithWeekday } from '../domain/civil-date.js';
import { readableUnits, type Principal } from '../domain/access.js';
import type { FeedClaims } from '../domain/signed-link.js';
import { calendarYear } from '../app/calendar-report.js';
import { addCalendarDay, addCalendarSwap, authorizeCalendarEdit, calendarDateParams, calendarDayBody, calendarSwapBody, overridesJson, removeCalendarDay, type CalendarEditDeps, type CalendarOverrideStore } from '../app/calendar-edit.js';
import { describeRule } from '../domain/describe.js';
import { DEFAULT_ESCALATION, escalationSchedule, isOpen, statusOn, type AssignmentStatus, type EscalationPolicy, type EscalationTarget } from '../domain/escalation.js';
import { localDateOf } from '../domain/instant.js';
import { assignedUnits } from '../domain/obligation.js';
import { escapeHtml as e } from '../app/messages/render-reminder.js';
import { trafficLight } from './pages.js';
import { importTextForm, registerImportPages } from './import-pages.js';
import type { DraftStore } from '../app/directive-import.js';
import { sessionCookie } from './session.js';

/**
 * The web console (Vietnamese): server-rendered pages, no script, every value escaped; forms
 * post with the session's CSRF token. Pages call the same use cases as the API.
 */
export interface ConsoleDeps {
  readonly access: AccessDeps;
  readonly assignments: AssignmentDeps & { readonly store: AssignmentDeps['store'] & AssignmentStore & ReportStore & DeliveryLogStore & DigestStore & CalendarOverrideStore & Pick<EscalationStore, 'escalationSteps' | 'openAssignmentsDueBetween'> };
  readonly edit: CatalogueEditDeps;
  readonly settings: Settings;
  /** "Gửi nhắc ngay" (absent: the button is not offered). */
  readonly remind?: RemindQueuedDeps;
  /** The subscription address of a unit's calendar feed (absent: not offered). */
  readonly feedLink?: (claims: FeedClaims) => string;
  /** The queue inspector (admins over everything only). */
  readonly queues?: QueueInspector;
  /** Directive import drafts (absent: /import offers manual entry only). */
  readonly drafts?: DraftStore;
}

export interface QueueInspector {
  counts(): Promise<Record<string, Record<string, number>>>;
  failedJobs(limit: number): Promise<{ queue: string; id: string; name: string; reason: string; attemptsMade: number; failedAt: number | null }[]>;
  retryFailed(queue: QueueName, id: string): Promise<boolean>;
}


interface Session {
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly user: UserRow;
}


const NAV: readonly [string, string][] = [
  ['/', 'Bảng điều khiển'],
  ['/obligations', 'Nhiệm vụ'],
  ['/obligations/new', 'Thêm nhiệm vụ'],
  ['/import', 'Nhập văn bản'],
  ['/units', 'Đơn vị'],
  ['/deliveries', 'Nhật ký gửi'],
  ['/escalations', 'Chuyển cấp'],
  ['/calendar', 'Lịch nghỉ'],
  ['/tokens', 'Mã API'],
  ['/queues', 'Hàng đợi'],
];

function layout(s: Session, title: string, body: string): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}">${e(label)}</a>`).join(' · ');
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} – Hạn Chót</title>
<style>
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font-family: Arial, Helvetica, sans-serif; line-height: 1.45; color: #1a1a1a; }
nav { margin-bottom: 1rem; padding-bottom: .5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #eee; padding: .3rem .4rem; text-align: left; vertical-align: top; }
label { display: block; margin-top: .6rem; font-weight: bold; }
input, select, textarea { width: 100%; box-sizing: border-box; padding: .4rem; font: inherit; }
input[type=checkbox] { width: auto; }
button { margin-top: .8rem; padding: .5rem 1rem; font: inherit; cursor: pointer; }
.bad { color: #b00020; } .ok { color: #0a6b2d; } .muted { color: #666; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1rem; }
@media (max-width: 40rem) { th:nth-child(n+4), td:nth-child(n+4) { display: none; } }
</style>
</head>
<body>
<nav>${nav} · <form method="post" action="/logout" style="display: inline"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit" style="margin: 0; padding: .1rem .5rem;">Đăng xuất (${e(s.user.displayName)})</button></form></nav>
<h1>${e(title)}</h1>
${body}
</body>
</html>`;
}

function send(reply: FastifyReply, code: number, html: string) {
  return reply
    .code(code)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .send(html);
}

const statusCell = (status: AssignmentStatus, due: string, today: string) => {
  const now = statusOn(status, due, today);
  return now === 'overdue' ? `<span class="bad">${e(describeStatus(now))}</span>` : e(describeStatus(now));
};

const assignmentHref = (a: { obligationId: string; occurrenceKey: string; unitId: string }) =>
  `/assignments/${encodeURIComponent(a.obligationId)}/${encodeURIComponent(a.occurrenceKey)}/${encodeURIComponent(a.unitId)}`;

export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const ad = deps.assignments;
  const sessions = new WeakMap<FastifyRequest, Session>();
  const current = (request: FastifyRequest) => sessions.get(request)!;
  const today = () => localDateOf(ad.clock.now(), ad.calendar.zone);

  await app.register(async (c) => {
    // A refused role or a missing row is a page here, not JSON.
    c.setErrorHandler((error, request, reply) => {
      const s = sessions.get(request);
      if (s && (error instanceof AccessError || error instanceof CatalogueEditError)) {
        return send(reply, error.status, layout(s, error.status === 403 ? 'Không có quyền' : 'Chưa thực hiện được', `<p class="bad">${e(error.message)}</p>`));
      }
      throw error;
    });
    c.addHook('preHandler', async (request, reply) => {
      const id = sessionCookie(request);
      const found = id ? await principalFromSession(deps.access, id) : undefined;
      if (!found) return reply.code(303).header('location', '/login').send();
      if (request.method === 'POST') {
        const token = (request.body as Record<string, unknown> | undefined)?._csrf;
        if (token !== found.csrfToken) return send(reply, 403, '<p>Thiếu hoặc sai mã chống giả mạo; hãy tải lại trang.</p>');
      }
      sessions.set(request, found);
    });

    /**
     * An assignment's escalation notices (DESIGN §4, src/app/escalate.ts): each level and repeat of
     * its policy for its current due, with what the record says happened (escalation_steps).
     */
    const escalationTimeline = (a: AssignmentRef & { due: string }, own: EscalationPolicy | null, rows: readonly EscalationStepRow[]): Notice[] => {
      const policy = own ?? deps.settings.escalation ?? DEFAULT_ESCALATION;
      const day = today();
      const mine = rows.filter((r) => r.obligationId === a.obligationId && r.occurrenceKey === a.occurrenceKey && r.unitId === a.unitId && r.due === a.due);
      let schedule: ReturnType<typeof escalationSchedule>;
      try {
        schedule = escalationSchedule(a.due, policy, ad.calendar);
      } catch {
        schedule = [];
      }
      return schedule.map((n) => {
        const row = mine.find((r) => r.level === n.level && r.repeat === n.repeat);
        const state: Notice['state'] = row ? row.status : n.fireOn >= day ? 'expected' : 'missed';
        return { level: n.level, repeat: n.repeat, fireOn: n.fireOn, notify: n.notify, workingDaysOverdue: n.workingDaysOverdue, state, firedAt: row?.status === 'fired' ? row.fireAt : null, reason: row?.reason ?? null };
      });
    };

    // ── escalations: overdue assignments, the notices sent and the next one ──
    c.get('/escalations', async (request, reply) => {
      const s = current(request);
      const day = today();
      const readable = readableUnits(s.principal, await ad.store.units());
      const inScope = (unitId: string) => readable === 'all' || readable.has(unitId);
      const overdue = (await ad.store.digestFacts(day, ad.clock.now())).filter((f) => isOpen(f.status) && f.due < day && inScope(f.unitId)).slice(0, 300);
      const policies = new Map(
        (await ad.store.openAssignmentsDueBetween(overdue.length ? overdue[0]!.due : day, day, [...new Set(overdue.map((f) => f.obligationId))])).map((o) => [`${o.obligationId}|${o.occurrenceKey}|${o.unitId}`, o.escalation]),
      );
      const steps = await ad.store.escalationSteps(overdue);
      const rows = overdue.map((f) => {
        const notices = escalationTimeline(f, policies.get(`${f.obligationId}|${f.occurrenceKey}|${f.unitId}`) ?? null, steps);
        const sentNotices = notices.filter((n) => n.state === 'fired');
        const next = notices.find((n) => n.state === 'planned' || n.state === 'expected');
        // Three columns: a phone shows no more.
        return `<tr><td><a href="${e(assignmentHref(f))}">${e(f.title)}</a><br>${e(f.unitName)}<br><small>hạn ${e(formatVnDate(f.due))}, <span class="bad">quá ${ad.calendar.workingDaysBetween(f.due, day)} ngày làm việc</span></small></td><td>${
          sentNotices.length ? sentNotices.map((n) => `${e(noticeWords(n))}${n.firedAt ? ` <small>(${e(n.firedAt.setZone(ad.calendar.zone).toFormat('dd/LL/yyyy'))})</small>` : ''}${n.reason ? ` <small class="bad">${e(n.reason)}</small>` : ''}`).join('<br>') : '<span class="muted">chưa</span>'
        }</td><td>${next ? `${e(noticeWords(next))}<br><small>${e(formatVnDateWithWeekday(next.fireOn))}${next.state === 'planned' ? ' · đã hẹn giờ' : ''}</small>` : '<span class="muted">hết các bước</span>'}</td></tr>`;
      });
      const body = `<p class="muted">Mỗi nhiệm vụ quá hạn trong phạm vi của đồng chí: các bước chuyển cấp đã gửi (lãnh đạo đơn vị, rồi Ban Thường vụ cấp trên) và bước kế tiếp theo chính sách chuyển cấp. Hoàn thành, gia hạn hoặc miễn thì các bước sau tự dừng.</p>
${rows.length ? `<table><tr><th>Nhiệm vụ, đơn vị, hạn</th><th>Đã chuyển cấp</th><th>Kế tiếp</th></tr>${rows.join('')}</table>` : '<p class="ok">Không có nhiệm vụ quá hạn.</p>'}`;
      return send(reply, 200, layout(s, 'Chuyển cấp', body));
    });

    // ── dashboard ──────────────────────────────────────────────────────────
    c.get('/', async (request, reply) => {
      const s = current(request);
      const day = today();
      const readable = readableUnits(s.principal, await ad.store.units());
      const inScope = (unitId: string) => readable === 'all' || readable.has(unitId);
      const facts = (await ad.store.digestFacts(addDays(day, 31), ad.clock.now().minus({ days: 30 }))).filter((f) => inScope(f.unitId));
      const overdue = facts.filter((f) => isOpen(f.status) && f.due < day);
      const upcoming = facts.filter((f) => isOpen(f.status) && f.due >= day);
      const report = await buildReport(ad.store, { unitId: s.principal.unitId ?? undefined, onlyThatUnit: s.principal.role === 'officer', today: day });
      const failed = await ad.store.deliveryLog({ status: 'failed', unitIds: readable === 'all' ? undefined : [...readable], limit: 10 });
      const health = await ad.store.channelHealth();
      const factRow = (f: (typeof facts)[number]) =>
        `<tr><td>${e(formatVnDate(f.due))}</td><td><a href="${e(assignmentHref(f))}">${e(f.title)}</a></td><td>${e(f.unitName)}</td><td>${statusCell(f.status, f.due, day)}</td></tr>`;
      const body = `
<h2>Quá hạn chưa hoàn thành (${overdue.length})</h2>
${overdue.length ? `<p><a href="/escalations">Xem các bước chuyển cấp đã gửi và sắp gửi →</a></p>` : ''}
${overdue.length ? `<table><tr><th>Hạn</th><th>Nhiệm vụ</th><th>Đơn vị</th><th>Trạng thái</th></tr>${overdue.slice(0, 50).map(factRow).join('')}</table>` : '<p class="ok">Không có.</p>'}
<h2>Đến hạn trong 30 ngày tới (${upcoming.length})</h2>
${upcoming.length ? `<table><tr><th>Hạn</th><th>Nhiệm vụ</th><th>Đơn vị</th><th>Trạng thái</th></tr>${upcoming.slice(0, 100).map(factRow).join('')}</table>` : '<p>Không có.</p>'}
<h2>Tỷ lệ đúng hạn theo đơn vị</h2>
<table><tr><th>Đơn vị</th><th>Tỷ lệ đúng hạn</th><th>Đúng hạn</th><th>Trễ hạn</th><th>Quá hạn</th><th>Chưa đến hạn</th></tr>
${report.units
  .map((u) => {
    const light = trafficLight(u.onTimeRate);
    // The light and the rate come first: on a phone the later columns are hidden.
    return `<tr><td>${e(u.name)}</td><td><span style="color: ${light.colour}; font-weight: bold">● ${e(light.word)}</span> ${u.onTimeRate === null ? '—' : `${Math.round(u.onTimeRate * 100)}%`}</td><td>${u.onTime}</td><td>${u.late}</td><td>${u.overdue}</td><td>${u.upcoming}</td></tr>`;
  })
  .join('')}
</table>
<h2>Gửi lỗi gần đây</h2>
${failed.length ? `<table><tr><th>Lúc</th><th>Kênh</th><th>Người nhận</th><th>Lỗi</th></tr>${failed.map((d) => `<tr><td>${e(d.updatedAt.setZone(ad.calendar.zone).toFormat('HH:mm dd/LL/yyyy'))}</td><td>${e(d.channel)}</td><td>${e(d.contactId)}</td><td>${e(d.errorMeaning ?? d.error ?? d.errorCode ?? '')}</td></tr>`).join('')}</table>` : '<p class="ok">Không có.</p>'}
<h2>Kênh Zalo</h2>
${health.length ? health.map((h) => `<p>${e(h.appId)}: ${h.status === 'ok' ? '<span class="ok">hoạt động</span>' : `<span class="bad">cần cấp quyền lại (${e(h.statusReason ?? '')})</span>`}${h.remainingQuota !== null ? ` — còn ${h.remainingQuota}/${h.dailyQuota ?? '?'} tin ZNS hôm nay` : ''}</p>`).join('') : '<p class="muted">Chưa cấu hình Zalo: mọi lời nhắc gửi qua email.</p>'}`;
      return send(reply, 200, layout(s, 'Bảng điều khiển', body));
    });

    // ── obligations ────────────────────────────────────────────────────────
    c.get('/obligations', async (request, reply) => {
      const s = current(request);
      const q = z.object({ directive: z.string().optional(), unit: z.string().optional() }).parse(request.query);
      const { snapshot, obligations: rows, unitsOf } = await obligationsInScope(deps.edit.store, s.principal, { directiveId: q.directive || undefined, unitId: q.unit || undefined });
      const tree = [...snapshot.units.values()];
      const directives = [...snapshot.directives.values()];
      const filter = `<form method="get" action="/obligations" class="grid">
<div><label for="directive">Văn bản</label><select id="directive" name="directive"><option value="">(tất cả)</option>${directives.map((d) => `<option value="${e(d.id)}"${q.directive === d.id ? ' selected' : ''}>${e(d.number)} – ${e(d.title)}</option>`).join('')}</select></div>
<div><label for="unit">Đơn vị</label><select id="unit" name="unit"><option value="">(tất cả)</option>${tree.map((u) => `<option value="${e(u.id)}"${q.unit === u.id ? ' selected' : ''}>${e(u.name)}</option>`).join('')}</select></div>
<div><button type="submit">Lọc</button></div></form>`;
      const table = `<table><tr><th>Nhiệm vụ</th><th>Văn bản</th><th>Thời hạn</th><th>Đơn vị</th></tr>${rows
        .map((o) => `<tr><td><a href="/obligations/${e(encodeURIComponent(o.id))}">${e(o.title)}</a></td><td>${e(snapshot.directives.get(o.directiveId)?.number ?? o.directiveId)}</td><td>${e(describeRule(o.rule))}</td><td>${unitsOf(o).length}</td></tr>`)
        .join('')}</table>`;
      return send(reply, 200, layout(s, 'Nhiệm vụ', `${filter}<p>${rows.length} nhiệm vụ.</p>${table}`));
    });

    c.get('/obligations/new', async (request, reply) =>
      send(reply, 200, layout(current(request), 'Thêm nhiệm vụ', await obligationForm(deps, current(request), z.record(z.string(), z.string()).catch({}).parse(request.query)))),
    );

    /** A posted obligation form: preview it (or show its problems), else save it and go to its page. */
    const postObligation = async (request: FastifyRequest, reply: FastifyReply, form: FormValues, mode: 'create' | 'replace', action: string, title: string) => {
      const s = current(request);
      const built = obligationFromForm(form);
      if (form.action === 'preview' || !built.ok) {
        let preview: RulePreview | undefined;
        let problems = built.ok ? [] : built.issues;
        if (built.ok) {
          try {
            preview = previewRule({ rule: built.body.rule, ladder: built.body.ladder }, deps.settings, ad.calendar, today());
          } catch (err) {
            if (!(err instanceof RulePreviewError)) throw err;
            problems = err.issues.map((i) => `${i.path}: ${i.message}`);
          }
        }
        return send(reply, problems.length ? 400 : 200, layout(s, title, await obligationForm(deps, s, form, { preview, problems, action })));
      }
      try {
        const saved = await saveObligation(deps.edit, built.body, s.principal, mode);
        return reply.code(303).header('location', `/obligations/${encodeURIComponent(saved.id)}`).send();
      } catch (err) {
        if (err instanceof CatalogueEditError) {
          return send(reply, err.status, layout(s, title, await obligationForm(deps, s, form, { action, problems: [err.message, ...err.issues.map((i) => `${i.path}: ${i.message}`)] })));
        }
        throw err;
      }
    };

    c.post('/obligations/new', async (request, reply) => postObligation(request, reply, request.body as FormValues, 'create', '/obligations/new', 'Thêm nhiệm vụ'));

    c.get('/obligations/:id/edit', async (request, reply) => {
      const s = current(request);
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const o = (await deps.edit.store.snapshot('all')).obligations.get(id);
      if (!o) return send(reply, 404, layout(s, 'Không có nhiệm vụ', `<p>Không có nhiệm vụ "${e(id)}".</p>`));
      await authorizeObligation(deps.edit, s.principal, id);
      if ((await deps.edit.store.originOf('obligations', id)) === 'config') {
        return send(reply, 409, layout(s, o.title, '<p class="bad">Nhiệm vụ này khai trong config/ (YAML): sửa ở đó rồi chạy hanchot sync.</p>'));
      }
      return send(reply, 200, layout(s, `Sửa: ${o.title}`, await obligationForm(deps, s, formFromObligation(o), { action: `/obligations/${encodeURIComponent(id)}/edit` })));
    });

    c.post('/obligations/:id/edit', async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      return postObligation(request, reply, { ...(request.body as FormValues), id }, 'replace', `/obligations/${encodeURIComponent(id)}/edit`, 'Sửa nhiệm vụ');
    });

    c.get('/obligations/:id', async (request, reply) => {
      const s = current(request);
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const snapshot = await deps.edit.store.snapshot('all');
      const o = snapshot.obligations.get(id);
      if (!o) return send(reply, 404, layout(s, 'Không có nhiệm vụ', `<p>Không có nhiệm vụ "${e(id)}".</p>`));
      const tree = [...snapshot.units.values()].map((u) => ({ id: u.id, parent: u.parentId, name: u.name, kind: u.kind, contacts: [] }));
      const readable = readableUnits(s.principal, tree);
      const units = assignedUnits(o.assignees, tree).filter((u) => readable === 'all' || readable.has(u));
      if (units.length === 0 && readable !== 'all') return send(reply, 404, layout(s, 'Không có nhiệm vụ', `<p>Không có nhiệm vụ "${e(id)}" trong phạm vi của đồng chí.</p>`));
      const rows = (await Promise.all(units.map((u) => ad.store.assignmentsOf(o.id, u)))).flat().sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
      const day = today();
      const directive = snapshot.directives.get(o.directiveId);
      const preview = previewFor(o, deps.settings, ad, day);
      const body = `<p>Văn bản: số ${e(directive?.number ?? o.directiveId)}${directive ? ` – ${e(directive.title)}` : ''}${o.clause ? ` (mục ${e(o.clause)})` : ''}</p>
${o.sentence ? `<blockquote>${e(o.sentence)}</blockquote>` : ''}
<p>Thời hạn: <strong>${e(describeRule(o.rule))}</strong>${o.assumed ? ` <span class="bad">(giả định: ${e(o.assumed)})</span>` : ''}</p>
${(await deps.edit.store.originOf('obligations', o.id)) === 'console' ? `<p><a href="/obligations/${e(encodeURIComponent(o.id))}/edit">Sửa nhiệm vụ</a></p>` : '<p class="muted">Khai trong config/ (YAML).</p>'}
<h2>Các kỳ sắp tới</h2>${previewTable(preview)}
${deps.remind ? `<form method="post" action="/obligations/${e(encodeURIComponent(o.id))}/remind"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit">Gửi nhắc ngay kỳ gần nhất</button> <small class="muted">(mọi đơn vị chưa hoàn thành; gửi cả ngoài giờ)</small></form>` : ''}
<h2>Đơn vị được giao (${units.length})</h2>
<table><tr><th>Kỳ</th><th>Hạn</th><th>Đơn vị</th><th>Trạng thái</th></tr>${rows.map((a) => `<tr><td>${e(a.occurrenceKey)}</td><td>${e(formatVnDate(a.due))}</td><td><a href="${e(assignmentHref(a))}">${e(a.unitName)}</a></td><td>${statusCell(a.status, a.due, day)}</td></tr>`).join('')}</table>`;
      return send(reply, 200, layout(s, o.title, body));
    });

    c.post('/obligations/:id/remind', async (request, reply) => {
      const s = current(request);
      const { id } = z.object({ id: z.string() }).parse(request.params);
      if (!deps.remind) return send(reply, 404, layout(s, 'Không có', '<p>Chức năng gửi ngay chưa bật.</p>'));
      await authorizeObligation(deps.edit, s.principal, id);
      try {
        const r = await remindNowQueued(deps.remind, id);
        return reply.code(303).header('location', `/deliveries?obligation=${encodeURIComponent(id)}&sent=${r.deliveries}`).send();
      } catch (err) {
        if (err instanceof RemindError) return send(reply, 409, layout(s, 'Chưa gửi được', `<p class="bad">${e(err.message)}</p>`));
        if (err instanceof CatalogueEditError) return send(reply, err.status, layout(s, 'Không có', `<p class="bad">${e(err.message)}</p>`));
        throw err;
      }
    });

    // ── one assignment: its history and a completion form ──────────────────
    c.get('/assignments/:obligationId/:occurrenceKey/:unitId', async (request, reply) => {
      const s = current(request);
      const ref = z.object({ obligationId: z.string(), occurrenceKey: z.string(), unitId: z.string() }).parse(request.params);
      await authorize(deps.access.store, s.principal, 'read', ref.unitId);
      const a = await ad.store.assignment(ref);
      if (!a) return send(reply, 404, layout(s, 'Không có', '<p>Không có nhiệm vụ này.</p>'));
      const history = await ad.store.auditOf('assignment', `${ref.obligationId}|${ref.occurrenceKey}|${ref.unitId}`);
      const sent = await ad.store.deliveryLog({ obligationId: ref.obligationId, unitIds: [ref.unitId], limit: 100 });
      const ladder = escalationTimeline(a, a.escalation, await ad.store.escalationSteps([ref]));
      const zone = ad.calendar.zone;
      const body = `<p>Đơn vị: <strong>${e(a.unitName)}</strong> · kỳ ${e(a.occurrenceKey)} · hạn ${e(formatVnDateWithWeekday(a.due))}${a.due !== a.occurrenceDue ? ' (đã gia hạn)' : ''} · ${statusCell(a.status, a.due, today())}</p>
${
  isOpen(a.status)
    ? `<form method="post" action="${e(assignmentHref(a))}/complete"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><label for="note">Ghi chú</label><input id="note" name="note" maxlength="2000"><button type="submit">Ghi nhận đã hoàn thành</button></form>`
    : ''
}
<h2>Lịch sử</h2>
<table><tr><th>Lúc</th><th>Ai</th><th>Việc</th></tr>${history.map((h) => `<tr><td>${e(h.at.setZone(zone).toFormat('HH:mm dd/LL/yyyy'))}</td><td>${e(h.actor)}</td><td>${e(h.action)}</td></tr>`).join('')}</table>
<h2>Chuyển cấp khi quá hạn</h2>
${a.due >= today() ? '<p class="muted">Chưa quá hạn. Nếu quá hạn, các bước dưới đây sẽ được gửi.</p>' : ''}${!isOpen(a.status) ? '<p class="muted">Đã đóng: không chuyển cấp thêm.</p>' : ''}
${escalationTable(ladder, zone)}
<h2>Đã gửi (nhắc hạn, chuyển cấp)</h2>
<table><tr><th>Lúc</th><th>Bước</th><th>Kênh</th><th>Người nhận</th><th>Trạng thái</th></tr>${sent
        .filter((d) => d.occurrenceKey === ref.occurrenceKey)
        .map((d) => `<tr><td>${e((d.sentAt ?? d.updatedAt).setZone(zone).toFormat('HH:mm dd/LL/yyyy'))}</td><td>${e(stepWords(d.purpose, d.step))}</td><td>${e(d.channel)}</td><td>${e(d.contactId)}</td><td>${e(d.status)}${d.error ? ` – ${e(d.error)}` : ''}</td></tr>`)
        .join('')}</table>`;
      return send(reply, 200, layout(s, a.title, body));
    });

    c.post('/assignments/:obligationId/:occurrenceKey/:unitId/complete', async (request, reply) => {
      const s = current(request);
      const ref = z.object({ obligationId: z.string(), occurrenceKey: z.string(), unitId: z.string() }).parse(request.params);
      await authorize(deps.access.store, s.principal, 'complete', ref.unitId);
      try {
        await completeAssignment(ad, ref, { actor: s.principal.actor, note: String((request.body as Record<string, unknown>).note ?? '') });
      } catch (err) {
        if (err instanceof AssignmentError) return send(reply, 409, layout(s, 'Chưa thực hiện được', `<p class="bad">${e(err.message)}</p>`));
        throw err;
      }
      return reply.code(303).header('location', assignmentHref(ref)).send();
    });

    // ── directive import (manual entry until the extraction engine lands) ──
    c.get('/import', async (request, reply) => {
      const s = current(request);
      const readable = s.principal.role === 'admin' ? readableUnits(s.principal, await deps.edit.store.unitTree()) : 'all';
      const paste = deps.drafts && s.principal.role === 'admin' ? importTextForm(s.csrfToken, {}, [], await deps.drafts.pendingImports(readable === 'all' ? 'all' : [...readable])) : '';
      return send(reply, 200, layout(s, 'Nhập văn bản', paste + directiveForm(s, {}, [], deps.drafts !== undefined)));
    });
    if (deps.drafts) registerImportPages(c, { edit: deps.edit, drafts: deps.drafts }, { current, layout, send }, (s) => directiveForm(s, {}, [], true));
    c.post('/import', async (request, reply) => {
      const s = current(request);
      const form = request.body as Record<string, string | undefined>;
      const parsed = directiveHeader.safeParse({ id: form.id, number: form.number, issuer: form.issuer, issuedOn: form.issuedOn, title: form.title, source: form.source || undefined });
      if (!parsed.success) return send(reply, 400, layout(s, 'Nhập văn bản', directiveForm(s, form, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), deps.drafts !== undefined)));
      try {
        await createDirective(deps.edit, parsed.data, s.principal);
      } catch (err) {
        if (err instanceof CatalogueEditError) return send(reply, err.status, layout(s, 'Nhập văn bản', directiveForm(s, form, [err.message], deps.drafts !== undefined)));
        throw err;
      }
      return reply.code(303).header('location', `/obligations/new?directive=${encodeURIComponent(parsed.data.id)}`).send();
    });

    // ── units and the delivery log ─────────────────────────────────────────
    c.get('/units', async (request, reply) => {
      const s = current(request);
      const snapshot = await deps.edit.store.snapshot('all');
      // Only the caller's own subtree, with its people: contact details are not for other units.
      const readable = readableUnits(s.principal, [...snapshot.units.values()].map((u) => ({ id: u.id, parent: u.parentId })));
      const visible = [...snapshot.units.values()].filter((u) => readable === 'all' || readable.has(u.id));
      const shown = new Set(visible.map((u) => u.id));
      const children = new Map<string | null, string[]>();
      for (const u of visible) {
        const parent = u.parentId !== null && shown.has(u.parentId) ? u.parentId : null;
        children.set(parent, [...(children.get(parent) ?? []), u.id]);
      }
      const contacts = [...snapshot.contacts.values()];
      const consoleContacts = new Set((await Promise.all(contacts.map(async (c) => ((await deps.edit.store.originOf('contacts', c.id)) === 'console' ? c.id : undefined)))).filter(Boolean));
      const consoleUnits = new Set((await Promise.all(visible.map(async (u) => ((await deps.edit.store.originOf('units', u.id)) === 'console' ? u.id : undefined)))).filter(Boolean));
      const render = (id: string, depth: number): string => {
        const u = snapshot.units.get(id)!;
        const people = contacts
          .filter((c) => c.unitId === id)
          .map((c) => `${e(c.name)}${c.role ? ` (${e(c.role)})` : ''}${c.id === u.leaderContactId ? ' <em>· lãnh đạo</em>' : ''}${u.standingCommittee?.includes(c.id) ? ' <em>· Ban Thường vụ</em>' : ''}${consoleContacts.has(c.id) ? ` <a href="/contacts/${e(encodeURIComponent(c.id))}/edit">sửa</a>` : ''}`)
          .join(', ');
        const feed = `${deps.feedLink ? ` · <a href="${e(deps.feedLink({ kind: 'unit', id }))}">lịch các hạn (iCalendar)</a>` : ''} · <a href="/units/${e(encodeURIComponent(id))}/contacts/new">thêm người nhận</a> · <a href="/units/${e(encodeURIComponent(id))}/units/new">thêm đơn vị trực thuộc</a>${consoleUnits.has(id) ? ` · <a href="/units/${e(encodeURIComponent(id))}/edit">sửa đơn vị</a>` : ''}`;
        return `<li style="margin-left: ${depth}rem"><strong>${e(u.name)}</strong> <span class="muted">${e(u.id)}</span>${feed}<br><small>${people || '<span class="bad">chưa có người nhận</span>'}</small></li>${(children.get(id) ?? []).sort().map((c) => render(c, depth + 1)).join('')}`;
      };
      return send(reply, 200, layout(s, 'Đơn vị', `<p class="muted">Cây đơn vị khai trong config/catalogue/units.yaml (sửa ở đó); đơn vị và người nhận thêm ở đây được quản lý trên trang này (đơn vị: đổi tên, chuyển sang đơn vị cấp trên khác, chọn lãnh đạo và Ban Thường vụ nhận chuyển cấp). Sao chép địa chỉ "lịch các hạn" vào Google Calendar, Outlook hoặc lịch điện thoại (Thêm lịch từ URL) để thấy mọi hạn của đơn vị.</p><ul style="list-style: none; padding: 0">${(children.get(null) ?? []).sort().map((r) => render(r, 0)).join('')}</ul>`));
    });

    // ── API tokens (admins; each within its own scope) ─────────────────────
    const tokenPage = async (s: Session, extra = '') => {
      const readable = readableUnits(s.principal, await ad.store.units());
      const rows = (await deps.access.store.apiTokens()).filter((t) => readable === 'all' || (t.unitId !== null && readable.has(t.unitId)));
      const units = (await ad.store.units()).filter((u) => readable === 'all' || readable.has(u.id));
      return layout(
        s,
        'Mã truy cập API',
        `${extra}<p class="muted">Dùng trong tiêu đề <code>Authorization: Bearer …</code> cho phần mềm khác. Mã chỉ hiện một lần khi tạo; hệ thống chỉ lưu bản băm.</p>
<table><tr><th>Số</th><th>Tên</th><th>Quyền</th><th>Đơn vị</th><th></th></tr>${rows
          .map(
            (t) =>
              `<tr><td>${t.id}</td><td>${e(t.name)}</td><td>${e(t.role)}</td><td>${e(t.unitId ?? 'mọi đơn vị')}</td><td>${t.revokedAt ? 'đã thu hồi' : `<form method="post" action="/tokens/${t.id}/revoke"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit" style="margin: 0">Thu hồi</button></form>`}</td></tr>`,
          )
          .join('')}</table>
<h2>Tạo mã mới</h2>
<form method="post" action="/tokens"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid"><div><label for="name">Tên (phần mềm dùng mã)</label><input id="name" name="name" required maxlength="100"></div>
<div><label for="role">Quyền</label><select id="role" name="role"><option value="viewer">viewer (chỉ xem)</option><option value="officer">officer (việc của đơn vị)</option><option value="admin">admin</option></select></div>
<div><label for="unit">Đơn vị</label><select id="unit" name="unit">${units.map((u) => `<option value="${e(u.id)}">${e(u.name)}</option>`).join('')}</select></div></div>
<button type="submit">Tạo mã</button></form>`,
      );
    };
    c.get('/tokens', async (request, reply) => {
      const s = current(request);
      if (s.principal.role !== 'admin') return send(reply, 403, layout(s, 'Không có quyền', '<p>Chỉ quản trị viên quản lý mã API.</p>'));
      return send(reply, 200, await tokenPage(s));
    });
    c.post('/tokens', async (request, reply) => {
      const s = current(request);
      const form = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(['admin', 'officer', 'viewer']), unit: z.string().min(1) }).safeParse(request.body);
      if (s.principal.role !== 'admin') return send(reply, 403, layout(s, 'Không có quyền', '<p>Chỉ quản trị viên quản lý mã API.</p>'));
      if (!form.success) return send(reply, 400, await tokenPage(s, '<p class="bad">Cần tên, quyền và đơn vị.</p>'));
      await authorize(deps.access.store, s.principal, 'manage', form.data.unit);
      const { token } = await createApiToken({ store: deps.access.store, clock: ad.clock }, { name: form.data.name, role: form.data.role, unitId: form.data.unit, createdBy: s.principal.actor });
      return send(reply, 201, await tokenPage(s, `<p class="ok">Mã mới (chép ngay, sẽ không hiện lại):</p><p><code id="new-token">${e(token)}</code></p>`));
    });
    c.post('/tokens/:id/revoke', async (request, reply) => {
      const s = current(request);
      const id = Number((request.params as { id: string }).id);
      const token = (await deps.access.store.apiTokens()).find((t) => t.id === id);
      if (s.principal.role !== 'admin' || !token) return send(reply, 404, layout(s, 'Không có', '<p>Không có mã này.</p>'));
      if (token.unitId === null ? s.principal.unitId !== null : !(await deps.access.store.unitAncestors(token.unitId))) return send(reply, 403, layout(s, 'Không có quyền', '<p>Mã này ngoài phạm vi của đồng chí.</p>'));
      if (token.unitId !== null) await authorize(deps.access.store, s.principal, 'manage', token.unitId);
      await deps.access.store.revokeApiToken(id, ad.clock.now());
      return reply.code(303).header('location', '/tokens').send();
    });

    // ── queue inspector: the work in flight in Redis (admins above every unit) ──
    const systemAdmin = (s: Session) => s.principal.role === 'admin' && s.principal.unitId === null;
    c.get('/queues', async (request, reply) => {
      const s = current(request);
      if (!systemAdmin(s) || !deps.queues) return send(reply, 403, layout(s, 'Không có quyền', '<p>Chỉ quản trị hệ thống xem hàng đợi.</p>'));
      const counts = await deps.queues.counts();
      const failed = await deps.queues.failedJobs(30);
      const zone = ad.calendar.zone;
      const states = ['waiting', 'delayed', 'active', 'failed'];
      const body = `<table><tr><th>Hàng đợi</th>${states.map((st) => `<th>${e(st)}</th>`).join('')}</tr>${Object.entries(counts)
        .map(([q, c2]) => `<tr><td>${e(q)}</td>${states.map((st) => `<td>${c2[st] ?? 0}</td>`).join('')}</tr>`)
        .join('')}</table>
<h2>Việc lỗi gần đây</h2>
${
  failed.length
    ? `<table><tr><th>Lúc</th><th>Hàng đợi</th><th>Việc</th><th>Số lần</th><th>Lỗi</th><th></th></tr>${failed
        .map(
          (j) =>
            `<tr><td>${j.failedAt ? e(DateTime.fromMillis(j.failedAt).setZone(zone).toFormat('HH:mm dd/LL/yyyy')) : ''}</td><td>${e(j.queue)}</td><td><small>${e(j.id)}</small></td><td>${j.attemptsMade}</td><td>${e(j.reason)}</td><td><form method="post" action="/queues/${e(j.queue)}/retry"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><input type="hidden" name="id" value="${e(j.id)}"><button type="submit" style="margin: 0">Chạy lại</button></form></td></tr>`,
        )
        .join('')}</table>`
    : '<p class="ok">Không có việc lỗi.</p>'
}
<p class="muted">Lịch sử gửi nằm trong cơ sở dữ liệu (Nhật ký gửi); Redis chỉ giữ hẹn giờ và việc đang chờ.</p>`;
      return send(reply, 200, layout(s, 'Hàng đợi', body));
    });
    c.post('/queues/:queue/retry', async (request, reply) => {
      const s = current(request);
      if (!systemAdmin(s) || !deps.queues) return send(reply, 403, layout(s, 'Không có quyền', '<p>Chỉ quản trị hệ thống.</p>'));
      const { queue } = z.object({ queue: z.enum(['plan', 'fire', 'deliver', 'escalate', 'digest']) }).parse(request.params);
      const id = String((request.body as Record<string, unknown>).id ?? '');
      const ok = await deps.queues.retryFailed(queue, id);
      return ok ? reply.code(303).header('location', '/queues').send() : send(reply, 404, layout(s, 'Không có', '<p>Không có việc lỗi này (có thể đã chạy lại).</p>'));
    });

    c.get('/calendar', async (request, reply) => reply.code(303).header('location', `/calendar/${today().slice(0, 4)}`).send());
    c.get('/calendar/:year', async (request, reply) => {
      const s = current(request);
      const year = z.coerce.number().int().min(2000).max(2100).catch(Number(today().slice(0, 4))).parse((request.params as { year: string }).year);
      return send(reply, 200, await calendarPage(s, year));
    });

    // ── calendar edits (an admin of the root unit): extra days off, swaps, removals ──
    const calendarEdit: CalendarEditDeps = { store: ad.store, access: deps.access.store, queue: ad.queue, clock: ad.clock, calendar: ad.calendar };
    const calendarPage = async (s: Session, year: number, problems: readonly string[] = [], form: Record<string, string | undefined> = {}) => {
      const y = calendarYear(ad.calendar, year);
      const kinds: Record<string, string> = { holiday: 'nghỉ lễ', substitute: 'nghỉ bù', swap_off: 'nghỉ (hoán đổi)', swap_work: 'đi làm bù' };
      const editor = await isCalendarEditor(s);
      const edits = overridesJson(ad.calendar, year);
      const own = new Map(edits.map((o) => [o.date, o]));
      const listed = new Set((ad.calendar.decreeOf(year)?.days ?? []).map((d) => d.date));
      const removeButton = (date: string, label: string) =>
        `<form method="post" action="/calendar/${year}/days/${e(date)}/remove" style="display: inline"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit" style="margin: 0; padding: .1rem .5rem">${e(label)}</button></form>`;
      const action = (date: string) => {
        if (!editor) return '';
        const o = own.get(date);
        if (o?.action === 'add') return removeButton(date, o.pairDate ? 'Bỏ hoán đổi' : 'Bỏ');
        return listed.has(date) ? removeButton(date, 'Bỏ') : '';
      };
      const v = (name: string) => e(form[name] ?? '');
      const removed = edits.filter((o) => o.action === 'remove');
      const body = `<p><a href="/calendar/${year - 1}">← ${year - 1}</a> · <a href="/calendar/${year + 1}">${year + 1} →</a></p>
${y.decreed ? `<p>Theo: ${y.sources.map((src) => e(src)).join('; ')}</p>` : `<p class="bad">Chưa có quyết định của năm này: đang dùng mặc định theo Bộ luật Lao động 2019 (Điều 111–112). Thêm config/calendar/years/${year}.yaml khi có quyết định${editor ? ', hoặc nhập các ngày hoán đổi, ngày nghỉ thêm ở cuối trang này' : ''}.</p>`}
${problems.length ? `<div class="bad"><p>Chưa lưu được:</p><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<table><tr><th>Ngày</th><th>Loại</th><th>Tên</th><th>Căn cứ</th></tr>${y.days
        // The button sits under the name: on a phone only the first three columns show.
        .map((d) => `<tr><td>${e(formatVnDateWithWeekday(d.date))}</td><td>${e(kinds[d.kind] ?? d.kind)}</td><td>${e(d.name)}${action(d.date) ? `<br>${action(d.date)}` : ''}</td><td><small>${e(d.source)}</small></td></tr>`)
        .join('')}</table>
${removed.length ? `<h2>Ngày trong config/ đã bỏ trên trang quản trị</h2><ul>${removed.map((o) => `<li>${e(formatVnDateWithWeekday(o.date))} <small class="muted">(${e(o.createdBy)})</small> ${editor ? removeButton(o.date, 'Khôi phục') : ''}</li>`).join('')}</ul>` : ''}
${
  editor
    ? `<h2>Thêm hoán đổi ngày làm việc</h2>
<p class="muted">Khi có thông báo nghỉ hoán đổi: nghỉ một ngày làm việc, làm bù một thứ Bảy hoặc Chủ nhật. Mọi hạn và lời nhắc được tính lại ngay.</p>
<form method="post" action="/calendar/${year}/swaps"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid"><div><label for="off">Ngày nghỉ (đang là ngày làm việc)</label><input id="off" name="off" type="date" value="${v('off')}" min="${year}-01-01" max="${year}-12-31" required></div>
<div><label for="work">Ngày làm bù (thứ Bảy / Chủ nhật)</label><input id="work" name="work" type="date" value="${v('work')}" min="${year}-01-01" max="${year}-12-31" required></div>
<div><label for="swapName">Tên (không bắt buộc)</label><input id="swapName" name="name" value="${v('name')}" maxlength="200" placeholder="theo Thông báo số …"></div></div>
<button type="submit">Thêm hoán đổi</button></form>
<h2>Thêm ngày nghỉ</h2>
<p class="muted">Một ngày làm việc được cho nghỉ thêm theo quyết định của Nhà nước.</p>
<form method="post" action="/calendar/${year}/days"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid"><div><label for="date">Ngày</label><input id="date" name="date" type="date" value="${v('date')}" min="${year}-01-01" max="${year}-12-31" required></div>
<div><label for="dayName">Tên</label><input id="dayName" name="name" value="${v('name')}" maxlength="200" required placeholder="Nghỉ … theo Thông báo số …"></div></div>
<button type="submit">Thêm ngày nghỉ</button></form>`
    : '<p class="muted">Chỉ quản trị viên của đơn vị cấp cao nhất sửa được lịch nghỉ (lịch dùng chung cho mọi đơn vị).</p>'
}`;
      return layout(s, `Lịch nghỉ năm ${year}`, body);
    };
    const isCalendarEditor = async (s: Session) =>
      authorizeCalendarEdit(calendarEdit, s.principal).then(
        () => true,
        () => false,
      );
    const yearOfRequest = (request: FastifyRequest) => z.object({ year: z.coerce.number().int().min(2000).max(2100) }).parse(request.params).year;
    /** Runs a calendar edit from a form; its problems come back on the year's page. */
    const calendarForm = async (request: FastifyRequest, reply: FastifyReply, run: (year: number, s: Session, form: Record<string, string | undefined>) => Promise<unknown>) => {
      const s = current(request);
      const year = yearOfRequest(request);
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      try {
        await authorizeCalendarEdit(calendarEdit, s.principal);
        await run(year, s, form);
      } catch (err) {
        if (err instanceof ZodError) return send(reply, 400, await calendarPage(s, year, err.issues.map((i) => `${i.path.join('.')}: ${i.message}`), form));
        if (err instanceof CatalogueEditError) return send(reply, err.status, await calendarPage(s, year, [err.message, ...err.issues.map((i) => `${i.path}: ${i.message}`)], form));
        throw err;
      }
      return reply.code(303).header('location', `/calendar/${year}`).send();
    };
    c.post('/calendar/:year/days', async (request, reply) =>
      calendarForm(request, reply, (year, s, form) => addCalendarDay(calendarEdit, year, calendarDayBody.parse({ date: form.date, name: form.name }), s.principal)),
    );
    c.post('/calendar/:year/swaps', async (request, reply) =>
      calendarForm(request, reply, (year, s, form) => addCalendarSwap(calendarEdit, year, calendarSwapBody.parse({ off: form.off, work: form.work, ...(form.name?.trim() ? { name: form.name } : {}) }), s.principal)),
    );
    c.post('/calendar/:year/days/:date/remove', async (request, reply) =>
      calendarForm(request, reply, (year, s) => removeCalendarDay(calendarEdit, year, calendarDateParams.parse(request.params).date, s.principal)),
    );

    // ── people of a unit (console origin) ──────────────────────────────────
    const contactPage = (s: Session, unitId: string, form: Record<string, string | undefined>, action: string, problems: readonly string[] = []) => {
      const v = (name: string) => e(form[name] ?? '');
      return layout(
        s,
        `Người nhận của ${unitId}`,
        `${problems.length ? `<ul class="bad">${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>` : ''}
<form method="post" action="${e(action)}"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="id">Mã</label><input id="id" name="id" value="${v('id')}" required pattern="[a-z0-9][a-z0-9._-]*" placeholder="${e(unitId)}.chu-tich"${form.locked ? ' readonly' : ''}></div>
<div><label for="name">Họ tên</label><input id="name" name="name" value="${v('name')}" required></div>
<div><label for="role">Chức vụ</label><input id="role" name="role" value="${v('role')}"></div>
<div><label for="email">Email</label><input id="email" name="email" type="email" value="${v('email')}"></div>
<div><label for="phone">Điện thoại (Zalo ZNS)</label><input id="phone" name="phone" value="${v('phone')}"></div>
</div>
<button type="submit">Lưu</button></form>`,
      );
    };
    const contactFromForm = (unitId: string, form: Record<string, string | undefined>) =>
      contactBody.safeParse(Object.fromEntries(Object.entries({ id: form.id, unitId, name: form.name, role: form.role || undefined, email: form.email || undefined, phone: form.phone || undefined }).filter(([, x]) => x !== undefined)));
    const unitPage = (s: Session, parentId: string, form: Record<string, string | undefined>, problems: readonly string[] = []) => {
      const v = (name: string) => e(form[name] ?? '');
      return layout(
        s,
        `Thêm đơn vị trực thuộc ${parentId}`,
        `${problems.length ? `<ul class="bad">${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>` : ''}
<form method="post" action="/units/${e(encodeURIComponent(parentId))}/units/new"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="id">Mã đơn vị</label><input id="id" name="id" value="${v('id')}" required pattern="[a-z0-9][a-z0-9._-]*" placeholder="${e(parentId)}.thcs-moi"></div>
<div><label for="name">Tên đơn vị</label><input id="name" name="name" value="${v('name')}" required></div>
<div><label for="kind">Cấp</label><select id="kind" name="kind"><option value="grassroots">công đoàn cơ sở</option><option value="district">LĐLĐ huyện</option><option value="province">LĐLĐ tỉnh</option></select></div>
</div>
<button type="submit">Thêm đơn vị</button></form>`,
      );
    };
    c.get('/units/:unitId/units/new', async (request, reply) => {
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      return send(reply, 200, unitPage(current(request), unitId, {}));
    });
    c.post('/units/:unitId/units/new', async (request, reply) => {
      const s = current(request);
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      const form = request.body as Record<string, string | undefined>;
      const parsed = unitBody.safeParse({ id: form.id, name: form.name, kind: form.kind, parentId: unitId });
      if (!parsed.success) return send(reply, 400, unitPage(s, unitId, form, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)));
      await createUnit(deps.edit, parsed.data, s.principal);
      return reply.code(303).header('location', '/units').send();
    });
    // ── a console unit: rename, move, leader and Ban Thường vụ ───────────────
    const unitEditPage = async (s: Session, id: string, form: FormValues, problems: readonly string[] = []) => {
      const snapshot = await deps.edit.store.snapshot('all');
      const tree = [...snapshot.units.values()].sort((a, b) => a.id.localeCompare(b.id));
      const readable = readableUnits(s.principal, tree.map((u) => ({ id: u.id, parent: u.parentId })));
      // Not itself nor one of its own units (the server refuses a cycle anyway).
      const below = readableUnits({ role: 'admin', unitId: id, actor: '' }, tree.map((u) => ({ id: u.id, parent: u.parentId })));
      const parents = tree.filter((u) => (readable === 'all' || readable.has(u.id) || u.id === one(form.parentId)) && !(below !== 'all' && below.has(u.id)));
      const people = [...snapshot.contacts.values()].filter((p) => p.unitId === id);
      const committee = many(form.standingCommittee);
      return layout(
        s,
        `Sửa đơn vị ${one(form.name) || id}`,
        `${problems.length ? `<div class="bad"><p>Chưa lưu được:</p><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<form method="post" action="/units/${e(encodeURIComponent(id))}/edit"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="name">Tên đơn vị</label><input id="name" name="name" value="${e(one(form.name))}" required maxlength="200"></div>
<div><label for="parentId">Trực thuộc</label><select id="parentId" name="parentId">${parents.map((u) => `<option value="${e(u.id)}"${one(form.parentId) === u.id ? ' selected' : ''}>${e(u.name)} (${e(u.id)})</option>`).join('')}</select></div>
<div><label for="leaderContactId">Lãnh đạo (chủ tịch): nhận chuyển cấp khi đơn vị quá hạn</label><select id="leaderContactId" name="leaderContactId"><option value="">(chưa có)</option>${people.map((p) => `<option value="${e(p.id)}"${one(form.leaderContactId) === p.id ? ' selected' : ''}>${e(p.name)}${p.role ? ` – ${e(p.role)}` : ''}</option>`).join('')}</select></div>
</div>
<fieldset><legend>Ban Thường vụ: nhận chuyển cấp khi một đơn vị trực thuộc quá hạn (để trống: lãnh đạo)</legend>
${people.length ? people.map((p) => `<label style="font-weight: normal"><input type="checkbox" name="standingCommittee" value="${e(p.id)}"${committee.includes(p.id) ? ' checked' : ''}> ${e(p.name)}${p.role ? ` – ${e(p.role)}` : ''}</label>`).join('') : `<p class="muted">Đơn vị chưa có người nhận: <a href="/units/${e(encodeURIComponent(id))}/contacts/new">thêm người nhận</a> trước.</p>`}
</fieldset>
<button type="submit">Lưu đơn vị</button></form>`,
      );
    };
    const unitOrMissing = async (s: Session, reply: FastifyReply, id: string) => {
      const unit = (await deps.edit.store.snapshot('all')).units.get(id);
      if (!unit) {
        await send(reply, 404, layout(s, 'Không có', `<p>Không có đơn vị "${e(id)}".</p>`));
        return undefined;
      }
      await authorize(deps.access.store, s.principal, 'manage', id);
      if ((await deps.edit.store.originOf('units', id)) === 'config') {
        await send(reply, 409, layout(s, unit.name, '<p class="bad">Đơn vị này khai trong config/catalogue/units.yaml: sửa ở đó rồi chạy hanchot sync.</p>'));
        return undefined;
      }
      return unit;
    };
    c.get('/units/:unitId/edit', async (request, reply) => {
      const s = current(request);
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      const unit = await unitOrMissing(s, reply, unitId);
      if (!unit) return reply;
      return send(reply, 200, await unitEditPage(s, unitId, { name: unit.name, parentId: unit.parentId ?? '', leaderContactId: unit.leaderContactId ?? '', standingCommittee: [...(unit.standingCommittee ?? [])] }));
    });
    c.post('/units/:unitId/edit', async (request, reply) => {
      const s = current(request);
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      const unit = await unitOrMissing(s, reply, unitId);
      if (!unit) return reply;
      const form = request.body as FormValues;
      const parsed = unitPatchBody.safeParse({ name: one(form.name), ...(one(form.parentId) ? { parentId: one(form.parentId) } : {}), leaderContactId: one(form.leaderContactId) || null, standingCommittee: many(form.standingCommittee) });
      if (!parsed.success) return send(reply, 400, await unitEditPage(s, unitId, form, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)));
      try {
        await updateUnit(deps.edit, unitId, parsed.data, s.principal);
      } catch (err) {
        if (err instanceof CatalogueEditError) return send(reply, err.status, await unitEditPage(s, unitId, form, [err.message, ...err.issues.map((i) => `${i.path}: ${i.message}`)]));
        throw err;
      }
      return reply.code(303).header('location', '/units').send();
    });
    c.get('/units/:unitId/contacts/new', async (request, reply) => {
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      return send(reply, 200, contactPage(current(request), unitId, {}, `/units/${encodeURIComponent(unitId)}/contacts/new`));
    });
    c.post('/units/:unitId/contacts/new', async (request, reply) => {
      const s = current(request);
      const { unitId } = z.object({ unitId: z.string() }).parse(request.params);
      const form = request.body as Record<string, string | undefined>;
      const parsed = contactFromForm(unitId, form);
      if (!parsed.success) return send(reply, 400, contactPage(s, unitId, form, `/units/${encodeURIComponent(unitId)}/contacts/new`, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)));
      await saveContact(deps.edit, parsed.data, s.principal, 'create');
      return reply.code(303).header('location', '/units').send();
    });
    c.get('/contacts/:id/edit', async (request, reply) => {
      const s = current(request);
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const contact = (await deps.edit.store.snapshot('all')).contacts.get(id);
      if (!contact) return send(reply, 404, layout(s, 'Không có', '<p>Không có người nhận này.</p>'));
      await authorize(deps.access.store, s.principal, 'manage', contact.unitId);
      const form = { id, name: contact.name, role: contact.role ?? '', email: contact.email ?? '', phone: contact.phone ?? '', locked: 'yes' };
      return send(reply, 200, contactPage(s, contact.unitId, form, `/contacts/${encodeURIComponent(id)}/edit`));
    });
    c.post('/contacts/:id/edit', async (request, reply) => {
      const s = current(request);
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const contact = (await deps.edit.store.snapshot('all')).contacts.get(id);
      if (!contact) return send(reply, 404, layout(s, 'Không có', '<p>Không có người nhận này.</p>'));
      await authorize(deps.access.store, s.principal, 'manage', contact.unitId);
      const form = { ...(request.body as Record<string, string | undefined>), id };
      const parsed = contactFromForm(contact.unitId, form);
      if (!parsed.success) return send(reply, 400, contactPage(s, contact.unitId, form, `/contacts/${encodeURIComponent(id)}/edit`, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)));
      await saveContact(deps.edit, parsed.data, s.principal, 'replace');
      return reply.code(303).header('location', '/units').send();
    });

    c.get('/deliveries', async (request, reply) => {
      const s = current(request);
      const q = z.object({ status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']).optional().catch(undefined), obligation: z.string().max(200).optional().catch(undefined) }).parse(request.query);
      const readable = readableUnits(s.principal, await ad.store.units());
      const rows = await ad.store.deliveryLog({ status: q.status, obligationId: q.obligation, unitIds: readable === 'all' ? undefined : [...readable], limit: 200 });
      const zone = ad.calendar.zone;
      const body = `<p>${['', 'queued', 'sent', 'failed', 'skipped'].map((st) => `<a href="/deliveries${st ? `?status=${st}` : ''}">${st || 'tất cả'}</a>`).join(' · ')}</p>
<table><tr><th>Lúc</th><th>Loại</th><th>Nhiệm vụ</th><th>Đơn vị</th><th>Kênh</th><th>Trạng thái</th></tr>${rows
        .map((d) => `<tr><td>${e((d.sentAt ?? d.updatedAt).setZone(zone).toFormat('HH:mm dd/LL/yyyy'))}</td><td>${e(d.purpose)} ${e(d.step)}</td><td>${e(d.obligationId)}</td><td>${e(d.unitId)}</td><td>${e(d.channel)}</td><td>${e(d.status)}${d.error ? ` – ${e(d.error)}` : ''}</td></tr>`)
        .join('')}</table>`;
      // A reminder missed while the service was down longer than the catch-up age was never sent to anyone: it is listed here too.
      const skipped = q.status === undefined || q.status === 'skipped' ? await ad.store.skippedSteps({ obligationId: q.obligation, limit: 100 }) : [];
      const missed = skipped.length
        ? `<h2>Lượt nhắc không gửi vì dịch vụ ngừng quá lâu</h2><table><tr><th>Lẽ ra gửi lúc</th><th>Bước</th><th>Nhiệm vụ</th><th>Kỳ</th><th>Lý do</th></tr>${skipped
            .map((r) => `<tr><td>${e(r.fireAt.setZone(zone).toFormat('HH:mm dd/LL/yyyy'))}</td><td>${e(r.step)}</td><td>${e(r.obligationId)}</td><td>${e(r.occurrenceKey)}</td><td>${e(r.reason ?? 'bỏ qua')}</td></tr>`)
            .join('')}</table>`
        : '';
      return send(reply, 200, layout(s, 'Nhật ký gửi', body + missed));
    });
  });
}

interface Notice {
  readonly level: number;
  readonly repeat: number;
  readonly fireOn: string;
  readonly notify: EscalationTarget;
  readonly workingDaysOverdue: number;
  /** From escalation_steps; 'expected' not planned yet (beyond the horizon), 'missed' never recorded. */
  readonly state: EscalationStepRow['status'] | 'expected' | 'missed';
  readonly firedAt: DateTime | null;
  readonly reason: string | null;
}

const TARGET_WORDS: Record<EscalationTarget['kind'], string> = { unit_leader: 'lãnh đạo đơn vị', parent_leadership: 'Ban Thường vụ cấp trên', contacts: 'người được chỉ định' };
const noticeWords = (n: Pick<Notice, 'level' | 'repeat' | 'notify'>) => `Cấp ${n.level}: ${TARGET_WORDS[n.notify.kind]}${n.repeat > 0 ? ` (nhắc lại lần ${n.repeat})` : ''}`;
const STATE_WORDS: Record<Notice['state'], string> = { fired: 'đã gửi', planned: 'đã hẹn giờ', skipped: 'bỏ qua', cancelled: 'đã hủy', expected: 'dự kiến', missed: 'không gửi' };

function escalationTable(notices: readonly Notice[], zone: string): string {
  if (notices.length === 0) return '<p class="muted">Không có bước chuyển cấp.</p>';
  return `<table><tr><th>Ngày</th><th>Bước</th><th>Trạng thái</th></tr>${notices
    .map((n) => `<tr><td>${e(formatVnDateWithWeekday(n.fireOn))}</td><td>${e(noticeWords(n))} <small class="muted">(quá ${n.workingDaysOverdue} ngày làm việc)</small></td><td>${e(STATE_WORDS[n.state])}${n.firedAt ? ` ${e(n.firedAt.setZone(zone).toFormat('HH:mm dd/LL/yyyy'))}` : ''}${n.reason ? ` – ${e(n.reason)}` : ''}</td></tr>`)
    .join('')}</table>`;
}

/** A delivery's step in words: "7d" stays, an escalation step "esc.L1.R0.<due>" is named. */
function stepWords(purpose: string, step: string): string {
  const m = /^esc\.L(\d+)\.R(\d+)\./.exec(step);
  if (purpose === 'escalation' && m) return `chuyển cấp ${m[1]}${m[2] !== '0' ? ` (nhắc lại lần ${m[2]})` : ''}`;
  return purpose === 'reminder' ? `nhắc hạn ${step}` : `${purpose} ${step}`;
}

function previewFor(o: StoredObligation, settings: Settings, ad: { calendar: AssignmentDeps['calendar'] }, day: string): RulePreview | undefined {
  try {
    return previewRule({ rule: o.rule as never, roll: o.roll, ladder: o.ladder ?? undefined, validFrom: o.validFrom ?? undefined, validUntil: o.validUntil ?? undefined }, settings, ad.calendar, day);
  } catch {
    return undefined;
  }
}

function previewTable(preview: RulePreview | undefined): string {
  if (!preview || preview.occurrences.length === 0) return '<p class="muted">Không có kỳ nào có ngày (thường xuyên hoặc khi có phát sinh).</p>';
  return `<p>${e(preview.words)}${preview.usesDefault ? ' <span class="bad">(dùng ngày mặc định: cần xác nhận)</span>' : ''}</p>
<table><tr><th>Kỳ</th><th>Hạn</th><th>Nhắc vào</th></tr>${preview.occurrences
    .map((o) => `<tr><td>${e(o.key)}</td><td>${e(formatVnDateWithWeekday(o.nominalDue))}${o.rolledNote ? `<br><small class="bad">${e(o.rolledNote)}</small>` : ''}</td><td>${o.reminders.map((r) => `${e(formatVnDate(r.fireOn))} (${e(r.step)})`).join(', ')}</td></tr>`)
    .join('')}</table>`;
}

const RULE_KINDS: readonly [string, string][] = [
  ['once', 'một lần (ngày cụ thể)'],
  ['yearly', 'hằng năm'],
  ['semiannual', '6 tháng một lần'],
  ['quarterly', 'hằng quý'],
  ['monthly', 'hằng tháng'],
  ['period', 'trong một khoảng (quý, tháng, năm)'],
  ['continuous', 'thường xuyên'],
  ['on_event', 'khi có phát sinh'],
  ['relative', 'tính từ một ngày mốc (Tết, 1/5 …)'],
  ['rrule', 'lặp theo RRULE (nâng cao)'],
];

type FormValues = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
const many = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []).filter(Boolean);
const num = (v: string | string[] | undefined): number | undefined => (one(v) === '' ? undefined : Number(one(v)));

/**
 * The escalation editor: levels as "1 unit_leader; 3 parent_leadership; 5 contacts:a,b", a
 * repeat period and a repeat count. All empty: the default policy of settings.yaml.
 */
function escalationFromForm(form: FormValues): { value: unknown } | { problem: string } | undefined {
  const text = one(form.escalationLevels);
  if (!text && !one(form.repeatEveryWorkingDays) && !one(form.maxRepeats)) return undefined;
  const levels = [];
  for (const part of text.split(/[;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)\s+(unit_leader|parent_leadership|contacts:([a-z0-9._,-]+))$/.exec(part);
    if (!m) return { problem: `"${part}" phải dạng "1 unit_leader", "3 parent_leadership" hoặc "5 contacts:id1,id2"` };
    levels.push({ afterWorkingDays: Number(m[1]), notify: m[3] ? { contacts: m[3].split(',').filter(Boolean) } : m[2] });
  }
  return { value: { levels, repeatEveryWorkingDays: num(form.repeatEveryWorkingDays) ?? 5, maxRepeats: num(form.maxRepeats) ?? 3 } };
}

/** A stored obligation as the form's fields (to edit it). */
export function formFromObligation(o: StoredObligation): FormValues {
  const r = o.rule as unknown as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const out: FormValues = {
    id: o.id,
    directiveId: o.directiveId,
    title: o.title,
    clause: o.clause ?? '',
    sentence: o.sentence ?? '',
    kind: str(r.kind),
    date: str(r.date),
    bound: str(r.bound),
    day: str(r.day),
    month: str(r.month),
    monthOfQuarter: str(r.monthOfQuarter),
    periodUnit: str(r.unit),
    year: str(r.year),
    quarter: str(r.quarter),
    workingDays: str(r.workingDays),
    checkIn: str(r.checkIn),
    anchor: str(r.anchor),
    offsetDays: str(r.offsetDays),
    rrule: str(r.rrule),
    start: str(r.start),
    ladder: o.ladder ? o.ladder.join(', ') : '',
    units: [...o.assignees.units],
    childrenOf: [...o.assignees.childrenOf],
  };
  if (o.escalation) {
    out.escalationLevels = o.escalation.levels
      .map((l) => `${l.afterWorkingDays} ${l.notify.kind === 'contacts' ? `contacts:${l.notify.contactIds.join(',')}` : l.notify.kind}`)
      .join('; ');
    out.repeatEveryWorkingDays = String(o.escalation.repeatEveryWorkingDays);
    out.maxRepeats = String(o.escalation.maxRepeats);
  }
  return out;
}

/** The rule builder's fields as a rule, and the form as an obligation body (checked by the same schema as the API). */
export function obligationFromForm(form: FormValues): { ok: true; body: z.infer<typeof obligationBody> } | { ok: false; issues: string[] } {
  const kind = one(form.kind);
  const rule: Record<string, unknown> = { kind };
  if (kind === 'once') Object.assign(rule, { date: one(form.date), bound: one(form.bound) || 'no_later_than' });
  if (kind === 'yearly') Object.assign(rule, { month: num(form.month), day: num(form.day) });
  if (kind === 'quarterly') Object.assign(rule, { monthOfQuarter: num(form.monthOfQuarter), day: one(form.day) === 'last' ? 'last' : num(form.day) });
  if (kind === 'monthly') Object.assign(rule, { day: one(form.day) === 'last' ? 'last' : num(form.day) });
  if (kind === 'period') Object.assign(rule, { unit: one(form.periodUnit), year: num(form.year), quarter: num(form.quarter), month: num(form.month), half: num(form.half), start: one(form.start) || undefined, end: one(form.end) || undefined });
  if (kind === 'on_event') Object.assign(rule, { workingDays: num(form.workingDays) });
  if (kind === 'continuous') Object.assign(rule, { checkIn: one(form.checkIn) || undefined });
  if (kind === 'relative') Object.assign(rule, { anchor: one(form.anchor), offsetDays: num(form.offsetDays) ?? 0 });
  if (kind === 'rrule') Object.assign(rule, { rrule: one(form.rrule), start: one(form.start) });
  const ladder = one(form.ladder) ? one(form.ladder).split(/[\s,]+/).filter(Boolean) : undefined;
  const escalation = escalationFromForm(form);
  if (escalation && 'problem' in escalation) return { ok: false, issues: [`escalation: ${escalation.problem}`] };
  const candidate = {
    id: one(form.id),
    directiveId: one(form.directiveId),
    title: one(form.title),
    ...(one(form.clause) ? { clause: one(form.clause) } : {}),
    ...(one(form.sentence) ? { sentence: one(form.sentence) } : {}),
    rule: Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined && v !== '' && !Number.isNaN(v))),
    assignees: { units: many(form.units), childrenOf: many(form.childrenOf) },
    ...(ladder ? { ladder } : {}),
    ...(escalation ? { escalation: escalation.value } : {}),
  };
  const parsed = obligationBody.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'nhiệm vụ'}: ${i.message}`) };
  const ruleCheck = ruleInput.safeParse(parsed.data.rule);
  if (!ruleCheck.success) return { ok: false, issues: ruleCheck.error.issues.map((i) => `rule.${i.path.join('.')}: ${i.message}`) };
  return { ok: true, body: parsed.data };
}

async function obligationForm(deps: ConsoleDeps, s: Session, form: FormValues, extra: { preview?: RulePreview; problems?: readonly string[]; action?: string } = {}): Promise<string> {
  const snapshot = await deps.edit.store.snapshot('all');
  const tree = [...snapshot.units.values()].sort((a, b) => a.id.localeCompare(b.id));
  const readable = readableUnits(s.principal, tree.map((u) => ({ id: u.id, parent: u.parentId })));
  const manageable = tree.filter((u) => readable === 'all' || readable.has(u.id));
  const v = (name: string) => e(one(form[name]));
  const checked = (name: string, id: string) => (many(form[name]).includes(id) ? ' checked' : '');
  const kind = one(form.kind) || 'yearly';
  const directiveId = one(form.directiveId) || one(form.directive);
  return `${extra.problems?.length ? `<div class="bad"><p>Chưa lưu được:</p><ul>${extra.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<form method="post" action="${e(extra.action ?? '/obligations/new')}">
<input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="directiveId">Văn bản</label><select id="directiveId" name="directiveId" required>${[...snapshot.directives.values()].map((d) => `<option value="${e(d.id)}"${directiveId === d.id ? ' selected' : ''}>${e(d.number)} – ${e(d.title)}</option>`).join('')}</select></div>
<div><label for="id">Mã nhiệm vụ</label><input id="id" name="id" value="${v('id')}" placeholder="dmc-200-2027.bao-cao-quy" required pattern="[a-z0-9][a-z0-9._-]*"></div>
</div>
<label for="title">Tên nhiệm vụ</label><input id="title" name="title" value="${v('title')}" required maxlength="300">
<label for="sentence">Câu trích trong văn bản</label><textarea id="sentence" name="sentence" rows="2">${v('sentence')}</textarea>
<fieldset><legend>Thời hạn</legend>
<div class="grid">
<div><label for="kind">Loại</label><select id="kind" name="kind">${RULE_KINDS.map(([k, label]) => `<option value="${k}"${kind === k ? ' selected' : ''}>${e(label)}</option>`).join('')}</select></div>
<div><label for="date">Ngày (một lần)</label><input id="date" name="date" type="date" value="${v('date')}"></div>
<div><label for="bound">Mốc</label><select id="bound" name="bound"><option value="no_later_than"${one(form.bound) === 'before' ? '' : ' selected'}>chậm nhất ngày</option><option value="before"${one(form.bound) === 'before' ? ' selected' : ''}>trước ngày</option></select></div>
<div><label for="day">Ngày trong tháng (hoặc "last")</label><input id="day" name="day" value="${v('day')}"></div>
<div><label for="month">Tháng</label><input id="month" name="month" type="number" min="1" max="12" value="${v('month')}"></div>
<div><label for="monthOfQuarter">Tháng thứ mấy của quý</label><input id="monthOfQuarter" name="monthOfQuarter" type="number" min="1" max="3" value="${v('monthOfQuarter')}"></div>
<div><label for="periodUnit">Khoảng</label><select id="periodUnit" name="periodUnit">${['quarter', 'month', 'half', 'year', 'range'].map((u) => `<option${one(form.periodUnit) === u ? ' selected' : ''}>${u}</option>`).join('')}</select></div>
<div><label for="year">Năm</label><input id="year" name="year" type="number" value="${v('year')}"></div>
<div><label for="quarter">Quý</label><input id="quarter" name="quarter" type="number" min="1" max="4" value="${v('quarter')}"></div>
<div><label for="workingDays">Số ngày làm việc (khi có phát sinh)</label><input id="workingDays" name="workingDays" type="number" min="0" value="${v('workingDays')}"></div>
<div><label for="checkIn">Báo cáo định kỳ (thường xuyên)</label><select id="checkIn" name="checkIn"><option value="">(không)</option>${['monthly', 'quarterly', 'semiannual', 'yearly'].map((k) => `<option${one(form.checkIn) === k ? ' selected' : ''}>${k}</option>`).join('')}</select></div>
<div><label for="anchor">Ngày mốc</label><select id="anchor" name="anchor"><option value="">(không)</option>${deps.assignments.calendar.anchorIds().map((a) => `<option${one(form.anchor) === a ? ' selected' : ''}>${e(a)}</option>`).join('')}</select></div>
<div><label for="offsetDays">Lệch so với mốc (ngày, âm là trước)</label><input id="offsetDays" name="offsetDays" type="number" value="${v('offsetDays')}"></div>
<div><label for="rrule">RRULE</label><input id="rrule" name="rrule" value="${v('rrule')}" placeholder="FREQ=MONTHLY;BYMONTHDAY=15"></div>
<div><label for="start">Bắt đầu (RRULE, khoảng)</label><input id="start" name="start" type="date" value="${v('start')}"></div>
</div>
<label for="ladder">Lịch nhắc (để trống: ${e(deps.settings.ladder.map((l) => l.id).join(', '))})</label><input id="ladder" name="ladder" value="${v('ladder')}" placeholder="30d, 7d, 3wd, 1wd, 0d">
</fieldset>
<fieldset><legend>Chuyển cấp khi quá hạn</legend>
<label for="escalationLevels">Các cấp (để trống: mặc định ${e(deps.settings.escalation.levels.map((l) => `${l.afterWorkingDays} ${l.notify.kind}`).join('; '))})</label>
<input id="escalationLevels" name="escalationLevels" value="${v('escalationLevels')}" placeholder="1 unit_leader; 3 parent_leadership">
<div class="grid"><div><label for="repeatEveryWorkingDays">Nhắc lại mỗi (ngày làm việc)</label><input id="repeatEveryWorkingDays" name="repeatEveryWorkingDays" type="number" min="1" value="${v('repeatEveryWorkingDays')}"></div>
<div><label for="maxRepeats">Số lần nhắc lại tối đa</label><input id="maxRepeats" name="maxRepeats" type="number" min="0" value="${v('maxRepeats')}"></div></div>
</fieldset>
<fieldset><legend>Giao cho</legend>
<p class="muted">Chọn đơn vị, hoặc "mọi đơn vị trực thuộc" một đơn vị.</p>
<table><tr><th>Đơn vị</th><th>Giao đơn vị này</th><th>Giao mọi đơn vị trực thuộc</th></tr>${manageable
    .map((u) => `<tr><td>${e(u.name)}</td><td><input type="checkbox" name="units" value="${e(u.id)}" aria-label="giao ${e(u.name)}"${checked('units', u.id)}></td><td><input type="checkbox" name="childrenOf" value="${e(u.id)}" aria-label="giao mọi đơn vị trực thuộc ${e(u.name)}"${checked('childrenOf', u.id)}></td></tr>`)
    .join('')}</table>
</fieldset>
<button type="submit" name="action" value="preview">Xem trước các kỳ hạn</button>
<button type="submit" name="action" value="save">Lưu nhiệm vụ</button>
</form>
${extra.preview ? `<h2>Xem trước</h2>${previewTable(extra.preview)}` : ''}`;
}

function directiveForm(s: Pick<Session, 'csrfToken'>, form: Record<string, string | undefined>, problems: readonly string[] = [], reader = false): string {
  const v = (name: string) => e(form[name] ?? '');
  return `${problems.length ? `<div class="bad"><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<p>${reader ? 'Nhập số, ngày và trích yếu của văn bản, rồi thêm từng nhiệm vụ có thời hạn ở bước sau.' : 'Công cụ đọc văn bản tự động chưa được bật ở đây: hãy nhập số, ngày và trích yếu của văn bản, rồi thêm từng nhiệm vụ có thời hạn ở bước sau.'}</p>
<form method="post" action="/import">
<input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="id">Mã văn bản</label><input id="id" name="id" value="${v('id')}" placeholder="dmc-200-2027" required pattern="[a-z0-9][a-z0-9._-]*"></div>
<div><label for="number">Số, ký hiệu</label><input id="number" name="number" value="${v('number')}" placeholder="200/LĐLĐ" required></div>
<div><label for="issuer">Cơ quan ban hành</label><input id="issuer" name="issuer" value="${v('issuer')}" required></div>
<div><label for="issuedOn">Ngày ban hành</label><input id="issuedOn" name="issuedOn" type="date" value="${v('issuedOn')}" required></div>
</div>
<label for="title">Trích yếu</label><input id="title" name="title" value="${v('title')}" required>
<label for="source">Nguồn (liên kết, không bắt buộc)</label><input id="source" name="source" value="${v('source')}">
<button type="submit">Lưu văn bản và thêm nhiệm vụ</button>
</form>`;
}
