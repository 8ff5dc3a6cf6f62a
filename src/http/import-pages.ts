/**
 * The console's directive import (issue 7 §3, issue 6 §2): paste a directive's text, see every
 * deadline found as a draft with its source sentence and the phrase highlighted, and accept
 * (with a title, an id and the units that owe it) or reject each. Same use cases as
 * `hanchot import` (src/app/directive-import.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/access.js';
import { readableUnits } from '../domain/access.js';
import { formatVnDate } from '../domain/civil-date.js';
import { describeRule } from '../domain/describe.js';
import { acceptAllDrafts, acceptDraft, acceptRequest, authorizeDrafts, importDirectiveText, importRequest, rejectDraft, suggestedObligationId, type DraftRecord, type ImportDeps } from '../app/directive-import.js';
import { CatalogueEditError } from '../app/catalogue-edit.js';
import { AccessError } from '../app/access.js';
import { escapeHtml as e } from '../app/messages/render-reminder.js';

interface PageSession {
  readonly principal: Principal;
  readonly csrfToken: string;
}

export interface ImportPageKit {
  current(request: FastifyRequest): PageSession;
  layout(s: PageSession, title: string, body: string): string;
  send(reply: FastifyReply, code: number, html: string): FastifyReply;
}

type Form = Record<string, string | undefined>;

interface UnitChoice {
  readonly id: string;
  readonly name: string;
}

const unitOptions = (units: readonly UnitChoice[], selected: string): string =>
  units.map((u) => `<option value="${e(u.id)}"${u.id === selected ? ' selected' : ''}>${e(u.name)}</option>`).join('');

/** Form fields as the page labels them, for error lists. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  text: 'Nội dung văn bản',
  directiveId: 'Mã văn bản',
  number: 'Số, ký hiệu',
  issuer: 'Cơ quan ban hành',
  issuedOn: 'Ngày ban hành',
  title: 'Tên nhiệm vụ',
  obligationId: 'Mã nhiệm vụ',
  assignees: 'Đơn vị được giao',
  rule: 'Thời hạn',
};
const labelled = (issues: readonly { path: string; message: string }[]): string[] =>
  issues.map((i) => `${FIELD_LABELS[i.path.split('.')[0] ?? ''] ?? i.path}: ${i.message}`);

const KIND_WORDS: Readonly<Record<string, string>> = {
  once: 'một lần',
  yearly: 'hằng năm',
  semiannual: '6 tháng một lần',
  quarterly: 'hằng quý',
  monthly: 'hằng tháng',
  period: 'trong khoảng thời gian',
  continuous: 'thường xuyên',
  on_event: 'khi phát sinh',
  relative: 'theo ngày mốc',
};

/** The paste form, shown above the manual entry form on /import. */
export function importTextForm(csrf: string, form: Form = {}, problems: readonly string[] = [], pending: readonly { directiveId: string; pending: number }[] = []): string {
  const v = (name: string) => e(form[name] ?? '');
  const waiting = pending.length
    ? `<p>Văn bản còn dự thảo chưa duyệt: ${pending.map((p) => `<a href="/import/${e(encodeURIComponent(p.directiveId))}/drafts">${e(p.directiveId)}</a> (${p.pending})`).join(', ')}</p>`
    : '';
  return `${waiting}${problems.length ? `<div class="bad"><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<h2>Dán nội dung văn bản</h2>
<p>Hạn Chót đọc văn bản và đề xuất mọi thời hạn trong đó thành dự thảo nhiệm vụ, để duyệt từng dự thảo ở bước sau. Số, cơ quan và ngày ban hành được đọc từ phần đầu văn bản; chỉ điền các ô dưới đây nếu văn bản không có hoặc đọc sai.</p>
<form method="post" action="/import/text">
<input type="hidden" name="_csrf" value="${e(csrf)}">
<label for="text">Nội dung văn bản (văn bản thuần, đến khoảng 800.000 ký tự)</label>
<textarea id="text" name="text" rows="14" required>${v('text')}</textarea>
<div class="grid">
<div><label for="t-directiveId">Mã văn bản</label><input id="t-directiveId" name="directiveId" value="${v('directiveId')}" placeholder="dmc-159-2020" required pattern="[a-z0-9][a-z0-9._-]*"></div>
<div><label for="t-number">Số, ký hiệu (nếu cần)</label><input id="t-number" name="number" value="${v('number')}"></div>
<div><label for="t-issuer">Cơ quan ban hành (nếu cần)</label><input id="t-issuer" name="issuer" value="${v('issuer')}"></div>
<div><label for="t-issuedOn">Ngày ban hành (nếu cần)</label><input id="t-issuedOn" name="issuedOn" type="date" value="${v('issuedOn')}"></div>
</div>
<label for="t-title">Trích yếu (nếu cần)</label><input id="t-title" name="title" value="${v('title')}">
<button type="submit">Đọc văn bản và đề xuất nhiệm vụ</button>
</form>
<h2>Hoặc nhập tay</h2>`;
}

/** The sentence with the phrase marked; everything escaped. */
function highlighted(d: DraftRecord['draft']): string {
  const at = d.sentence.indexOf(d.phrase.replace(/\s+/g, ' ').trim());
  if (at < 0) return `${e(d.sentence)} <mark>${e(d.phrase)}</mark>`;
  const phrase = d.phrase.replace(/\s+/g, ' ').trim();
  return `${e(d.sentence.slice(0, at))}<mark>${e(phrase)}</mark>${e(d.sentence.slice(at + phrase.length))}`;
}

function draftCard(s: PageSession, r: DraftRecord, units: readonly UnitChoice[], problems: readonly string[] = [], form: Form = {}): string {
  const d = r.draft;
  const due = d.due ? `, hạn ${formatVnDate(d.due)}${d.dueEffective && d.dueEffective !== d.due ? ` (tức là chậm nhất ngày ${formatVnDate(d.dueEffective)})` : ''}` : '';
  const rule = d.dueRule ? describeRule(d.dueRule) : `ngày ${d.rule?.day ?? '?'}/${d.rule?.month ?? '?'} chưa có năm (văn bản không rõ ngày ban hành)`;
  const head = `<h3 id="d${r.id}">${r.position + 1}. ${e(d.title || '(chưa có tên)')}</h3>
<p><strong>${e(KIND_WORDS[d.kind] ?? d.kind)}</strong>: ${e(rule)}${e(due)} · độ tin cậy ${Math.round(d.confidence * 100)}%${d.assumed ? ` · <em>${e(d.assumed)}</em>` : ''}</p>
<blockquote>${highlighted(d)}</blockquote>`;
  if (r.status !== 'draft') {
    const what = r.status === 'accepting' ? 'Đang được chấp nhận (vừa có người bấm chấp nhận)' : r.status === 'accepted' ? `Đã chấp nhận thành nhiệm vụ <a href="/obligations/${e(encodeURIComponent(r.obligationId ?? ''))}/edit">${e(r.obligationId ?? '')}</a>` : 'Đã bỏ qua';
    return `${head}<p class="${r.status === 'accepted' ? 'ok' : 'muted'}">${what} (${e(r.decidedBy ?? '')}).</p>`;
  }
  const v = (name: string, fallback: string) => e(form[name] ?? fallback);
  if (!d.dueRule) {
    return `${head}<p class="bad">Không chấp nhận được như vậy: hãy nhập lại văn bản kèm ngày ban hành, hoặc <a href="/obligations/new?directive=${e(encodeURIComponent(r.directiveId))}">thêm nhiệm vụ bằng tay</a>.</p>
<form method="post" action="/import/drafts/${r.id}/reject"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit">Bỏ qua</button></form>`;
  }
  const options = unitOptions(units, form.childrenOf ?? s.principal.unitId ?? units[0]?.id ?? '');
  return `${head}${problems.length ? `<div class="bad"><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : ''}
<form method="post" action="/import/drafts/${r.id}/accept">
<input type="hidden" name="_csrf" value="${e(s.csrfToken)}">
<div class="grid">
<div><label for="title-${r.id}">Tên nhiệm vụ</label><input id="title-${r.id}" name="title" value="${v('title', d.title)}" required></div>
<div><label for="id-${r.id}">Mã nhiệm vụ</label><input id="id-${r.id}" name="obligationId" value="${v('obligationId', suggestedObligationId(r))}" required pattern="[a-z0-9][a-z0-9._-]*"></div>
<div><label for="to-${r.id}">Giao cho các đơn vị trực thuộc của</label><select id="to-${r.id}" name="childrenOf">${options}</select></div>
</div>
<button type="submit">Chấp nhận</button>
</form>
<form method="post" action="/import/drafts/${r.id}/reject"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><button type="submit">Bỏ qua</button></form>`;
}

export function registerImportPages(c: FastifyInstance, deps: ImportDeps, kit: ImportPageKit, manualForm: (s: PageSession) => string): void {
  const unitsInScope = async (principal: Principal): Promise<UnitChoice[]> => {
    const tree = await deps.edit.store.unitTree();
    const readable = readableUnits(principal, tree);
    const names = (await deps.edit.store.snapshot('all')).units;
    // Units with units under them: "giao cho các đơn vị trực thuộc của …".
    const parents = new Set(tree.map((u) => u.parent).filter((p): p is string => p !== null));
    return tree.filter((u) => (readable === 'all' || readable.has(u.id)) && parents.has(u.id)).map((u) => ({ id: u.id, name: names.get(u.id)?.name ?? u.id }));
  };
  const draftsPage = async (s: PageSession, directiveId: string, problemsFor?: { id: number; problems: readonly string[]; form: Form }) => {
    const drafts = await deps.drafts.draftsOf(directiveId);
    await authorizeDrafts(deps, s.principal, drafts);
    if (drafts.length === 0 && !(await deps.edit.store.snapshot('all')).directives.has(directiveId)) throw new CatalogueEditError(404, `không có văn bản "${directiveId}"`);
    const units = await unitsInScope(s.principal);
    const pending = drafts.filter((d) => d.status === 'draft').length;
    const decided = problemsFor && drafts.find((d) => d.id === problemsFor.id)?.status !== 'draft';
    const banner = decided && problemsFor ? `<div class="bad"><ul>${problemsFor.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>` : '';
    const body = `${banner}<p>Văn bản <strong>${e(directiveId)}</strong>: tìm thấy ${drafts.length} thời hạn, còn ${pending} chưa duyệt. Mỗi dự thảo chỉ trở thành nhiệm vụ (và được lập lịch nhắc) khi được chấp nhận.</p>
${drafts.length === 0 ? '<p>Không tìm thấy thời hạn nào trong văn bản. Bạn có thể <a href="/obligations/new?directive=' + e(encodeURIComponent(directiveId)) + '">thêm nhiệm vụ bằng tay</a>.</p>' : ''}
${pending > 1 ? `<form method="post" action="/import/${e(encodeURIComponent(directiveId))}/accept-all"><input type="hidden" name="_csrf" value="${e(s.csrfToken)}"><label for="all-to">Chấp nhận tất cả ${pending} dự thảo chưa duyệt (tên và mã như đề xuất), giao cho các đơn vị trực thuộc của</label><select id="all-to" name="childrenOf">${unitOptions(units, s.principal.unitId ?? units[0]?.id ?? '')}</select><button type="submit">Chấp nhận tất cả</button></form>` : ''}
${drafts.map((r) => (problemsFor && problemsFor.id === r.id ? draftCard(s, r, units, problemsFor.problems, problemsFor.form) : draftCard(s, r, units))).join('\n')}
<p><a href="/obligations/new?directive=${e(encodeURIComponent(directiveId))}">Thêm một nhiệm vụ khác bằng tay</a> · <a href="/obligations">Danh sách nhiệm vụ</a></p>`;
    return kit.layout(s, 'Duyệt dự thảo nhiệm vụ', body);
  };

  // A directive's text is larger than the console's other forms (16 KiB): up to 2 MiB here.
  c.post('/import/text', { bodyLimit: 2 * 1024 * 1024 }, async (request, reply) => {
    const s = kit.current(request);
    const form = request.body as Form;
    const parsed = importRequest.safeParse({
      text: form.text ?? '',
      directiveId: form.directiveId ?? '',
      ...(form.number?.trim() ? { number: form.number } : {}),
      ...(form.issuer?.trim() ? { issuer: form.issuer } : {}),
      ...(form.issuedOn?.trim() ? { issuedOn: form.issuedOn } : {}),
      ...(form.title?.trim() ? { title: form.title } : {}),
    });
    const again = (code: number, problems: string[]) => kit.send(reply, code, kit.layout(s, 'Nhập văn bản', importTextForm(s.csrfToken, form, problems) + manualForm(s)));
    if (!parsed.success) return again(400, labelled(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))));
    try {
      const outcome = await importDirectiveText(deps, parsed.data, s.principal);
      return reply.code(303).header('location', `/import/${encodeURIComponent(outcome.directiveId)}/drafts`).send();
    } catch (err) {
      if (err instanceof CatalogueEditError) return again(err.status, err.issues.length ? err.issues.map((i) => i.message) : [err.message]);
      if (err instanceof AccessError) return again(err.status, [err.message]);
      throw err;
    }
  });

  c.get('/import/:directive/drafts', async (request, reply) => {
    const s = kit.current(request);
    const { directive } = request.params as { directive: string };
    return kit.send(reply, 200, await draftsPage(s, directive));
  });

  c.post('/import/drafts/:id/accept', async (request, reply) => {
    const s = kit.current(request);
    const id = Number((request.params as { id: string }).id);
    const record = await deps.drafts.draft(id);
    if (!record) throw new CatalogueEditError(404, `không có dự thảo ${(request.params as { id: string }).id}`);
    const form = request.body as Form;
    const parsed = acceptRequest.safeParse({ obligationId: form.obligationId ?? '', title: form.title ?? '', assignees: { childrenOf: form.childrenOf ? [form.childrenOf] : [] } });
    const back = () => reply.code(303).header('location', `/import/${encodeURIComponent(record.directiveId)}/drafts#d${id}`).send();
    const again = async (code: number, problems: readonly string[]) => kit.send(reply, code, await draftsPage(s, record.directiveId, { id, problems, form }));
    if (!parsed.success) return again(400, labelled(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))));
    try {
      await acceptDraft(deps, id, parsed.data, s.principal);
    } catch (err) {
      if (err instanceof CatalogueEditError) return again(err.status, err.issues.length ? labelled(err.issues) : [err.message]);
      throw err;
    }
    return back();
  });

  c.post('/import/:directive/accept-all', async (request, reply) => {
    const s = kit.current(request);
    const { directive } = request.params as { directive: string };
    const form = request.body as Form;
    if (!form.childrenOf) throw new CatalogueEditError(400, 'chưa chọn đơn vị được giao');
    try {
      await acceptAllDrafts(deps, directive, { childrenOf: [form.childrenOf] }, s.principal);
    } catch (err) {
      if (err instanceof CatalogueEditError) return kit.send(reply, err.status, kit.layout(s, 'Duyệt dự thảo nhiệm vụ', `<p class="bad">${e(err.message)}${err.issues.length ? `: ${e(err.issues.map((i) => `${i.path}: ${i.message}`).join('; '))}` : ''}</p><p><a href="/import/${e(encodeURIComponent(directive))}/drafts">Quay lại danh sách dự thảo</a></p>`));
      throw err;
    }
    return reply.code(303).header('location', `/import/${encodeURIComponent(directive)}/drafts`).send();
  });

  c.post('/import/drafts/:id/reject', async (request, reply) => {
    const s = kit.current(request);
    const id = Number((request.params as { id: string }).id);
    const record = await deps.drafts.draft(id);
    if (!record) throw new CatalogueEditError(404, `không có dự thảo ${(request.params as { id: string }).id}`);
    await rejectDraft(deps, id, s.principal);
    return reply.code(303).header('location', `/import/${encodeURIComponent(record.directiveId)}/drafts#d${id}`).send();
  });
}
