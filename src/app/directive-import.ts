/**
 * Directive import (issue 7 §3): a directive's text becomes draft obligations, linked to a
 * directive record, that an admin accepts (each then becomes an ordinary obligation, planned at
 * once) or rejects. Drafts live in their own table, so nothing is planned or reminded until an
 * admin has accepted it. The CLI (`hanchot import`) and the console's import page share this.
 */
import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { Principal } from '../domain/access.js';
import type { DueRule } from '../domain/due-rule.js';
import { extractDirective, titleLine, ExtractInputError, type ExtractResult, type ObligationDraft } from '../domain/extract/index.js';
import { AccessError, authorize } from './access.js';
import { createDirective, saveObligation, CatalogueEditError, type CatalogueEditDeps, type ObligationBody } from './catalogue-edit.js';
import type { RuleInput } from './catalogue/schemas.js';

export type DraftStatus = 'draft' | 'accepting' | 'accepted' | 'rejected';

export interface DraftRecord {
  readonly id: number;
  readonly directiveId: string;
  readonly position: number;
  /** The importing admin's unit: only admins over it review these drafts. */
  readonly unitId: string;
  readonly status: DraftStatus;
  readonly draft: ObligationDraft;
  readonly obligationId: string | null;
  readonly decidedBy: string | null;
}

export interface DraftStore {
  /** Replaces the directive's undecided drafts with these (a re-import), in one transaction; audit-logged. */
  replaceDrafts(directiveId: string, unitId: string, drafts: readonly ObligationDraft[], actor: string, now: DateTime): Promise<number>;
  draftsOf(directiveId: string): Promise<DraftRecord[]>;
  draft(id: number): Promise<DraftRecord | undefined>;
  /** 'draft' → 'accepting' for one admin (false if another has it or it is decided). */
  claimDraft(id: number, actor: string, now: DateTime): Promise<boolean>;
  /** 'accepting' → 'draft' when the accept failed. */
  releaseDraft(id: number): Promise<void>;
  /** 'accepting' → 'accepted', or 'draft' → 'rejected' (false if that is not its state); audit-logged. */
  decideDraft(id: number, status: 'accepted' | 'rejected', obligationId: string | null, actor: string, now: DateTime): Promise<boolean>;
  /** Directives that still have undecided drafts of these units, newest first. */
  pendingImports(units: readonly string[] | 'all'): Promise<{ directiveId: string; pending: number }[]>;
}

export interface ImportDeps {
  readonly edit: CatalogueEditDeps;
  readonly drafts: DraftStore;
}

export const importRequest = z.strictObject({
  text: z.string().trim().min(1, 'chưa dán nội dung văn bản'),
  directiveId: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'mã văn bản chỉ gồm chữ thường không dấu, số, ".", "_", "-"'),
  number: z.string().trim().min(1).optional(),
  issuer: z.string().trim().min(1).optional(),
  issuedOn: z.iso.date().optional(),
  title: z.string().trim().min(1).optional(),
});
export type ImportRequest = z.infer<typeof importRequest>;

export interface ImportOutcome {
  readonly directiveId: string;
  readonly created: boolean;
  readonly result: ExtractResult;
  readonly drafts: number;
}

/** Reads the text, makes the directive record if it is new (header fields from the text unless given), and stores the drafts. */
export async function importDirectiveText(deps: ImportDeps, request: ImportRequest, principal: Principal): Promise<ImportOutcome> {
  if (principal.role !== 'admin') throw new AccessError(403, 'chỉ quản trị viên được nhập văn bản');
  const snapshot = await deps.edit.store.snapshot('all');
  const existing = snapshot.directives.get(request.directiveId);
  const owner = await ownerUnit(deps, principal);
  if (existing) {
    if ((await deps.edit.store.originOf('directives', request.directiveId)) === 'config') {
      throw new CatalogueEditError(409, `văn bản "${request.directiveId}" được khai trong config/ (YAML): hãy nhập với một mã khác`);
    }
    // Only admins over whoever imported it before may replace its drafts.
    for (const unit of new Set((await deps.drafts.draftsOf(request.directiveId)).map((d) => d.unitId))) await authorize(deps.edit.access, principal, 'manage', unit);
  }
  let result: ExtractResult;
  try {
    // A directive already on record keeps its issue date: it decides the year of dates written without one.
    const issuedOn = request.issuedOn ?? existing?.issuedOn;
    result = extractDirective(request.text, issuedOn ? { issuedOn } : {});
  } catch (e) {
    if (e instanceof ExtractInputError) throw new CatalogueEditError(400, e.message);
    throw e;
  }
  let created = false;
  if (!existing) {
    const header = {
      id: request.directiveId,
      number: request.number ?? result.directive.number ?? undefined,
      issuer: request.issuer ?? result.directive.issuer ?? undefined,
      issuedOn: request.issuedOn ?? result.directive.issuedOn ?? undefined,
      title: request.title ?? titleLine(request.text) ?? undefined,
    };
    const missing = (['number', 'issuer', 'issuedOn', 'title'] as const).filter((k) => !header[k]);
    if (missing.length > 0) {
      const names = { number: 'số, ký hiệu', issuer: 'cơ quan ban hành', issuedOn: 'ngày ban hành', title: 'trích yếu' } as const;
      throw new CatalogueEditError(400, `không đọc được ${missing.map((k) => names[k]).join(', ')} từ văn bản: hãy nhập vào ô tương ứng`, missing.map((k) => ({ path: k, message: `không đọc được ${names[k]} từ văn bản` })));
    }
    await createDirective(deps.edit, header as Parameters<typeof createDirective>[1], principal);
    created = true;
  }
  // A re-import does not propose again what was already accepted or rejected.
  const decided = new Set((await deps.drafts.draftsOf(request.directiveId)).filter((d) => d.status !== 'draft').map((d) => sameFinding(d.draft)));
  const fresh = result.obligations.filter((o) => !decided.has(sameFinding(o)));
  const drafts = await deps.drafts.replaceDrafts(request.directiveId, owner, fresh, principal.actor, deps.edit.clock.now());
  return { directiveId: request.directiveId, created, result, drafts };
}

const sameFinding = (d: ObligationDraft): string => `${d.phrase.replace(/\s+/g, ' ').trim()}|${canonical(d.dueRule)}`;

/** JSON with keys in one order: jsonb gives a stored rule's keys back in its own order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The importing admin's unit; the bootstrap token and the CLI stand above every unit: the root. */
async function ownerUnit(deps: ImportDeps, principal: Principal): Promise<string> {
  if (principal.unitId) return principal.unitId;
  const root = (await deps.edit.store.unitTree()).find((u) => u.parent === null);
  if (!root) throw new CatalogueEditError(409, 'chưa có đơn vị nào trong cơ sở dữ liệu: hãy chạy hanchot sync (hoặc hanchot start) trước khi nhập văn bản');
  return root.id;
}

/** Only admins over the unit that imported a directive review its drafts. */
export async function authorizeDrafts(deps: ImportDeps, principal: Principal, drafts: readonly DraftRecord[]): Promise<void> {
  if (principal.role !== 'admin') throw new AccessError(403, 'chỉ quản trị viên được duyệt dự thảo nhiệm vụ');
  for (const unit of new Set(drafts.map((d) => d.unitId))) await authorize(deps.edit.access, principal, 'manage', unit);
}

export const acceptRequest = z.strictObject({
  obligationId: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'mã nhiệm vụ chỉ gồm chữ thường không dấu, số, ".", "_", "-"'),
  title: z.string().trim().min(1, 'tên nhiệm vụ không được để trống'),
  assignees: z.strictObject({ units: z.array(z.string()).optional(), childrenOf: z.array(z.string()).optional() }),
});
export type AcceptRequest = z.infer<typeof acceptRequest>;

/** The draft becomes an obligation (validated, audited and planned like any console obligation). */
export async function acceptDraft(deps: ImportDeps, draftId: number, request: AcceptRequest, principal: Principal): Promise<string> {
  const record = await pendingDraft(deps, draftId, principal);
  const d = record.draft;
  if (!d.dueRule) throw new CatalogueEditError(400, 'ngày này không có năm và không rõ ngày ban hành: hãy nhập lại văn bản với ngày ban hành, hoặc thêm nhiệm vụ bằng tay', [{ path: 'rule', message: 'chưa có năm' }]);
  // One admin at a time: a second accept of the same draft is refused before it creates anything.
  if (!(await deps.drafts.claimDraft(draftId, principal.actor, deps.edit.clock.now()))) throw new CatalogueEditError(409, 'dự thảo này vừa được người khác duyệt: hãy tải lại trang');
  try {
    await saveObligation(
      deps.edit,
      {
        id: request.obligationId,
        directiveId: record.directiveId,
        title: request.title,
        sentence: d.sentence,
        phrase: d.phrase,
        // The catalogue schema's inferred type names two of the kinds only (see ruleInput); every kind is accepted and validated.
        rule: ruleInputOf(d.dueRule) as ObligationBody['rule'],
        assignees: request.assignees,
        ...(d.assumed ? { assumed: d.assumed } : {}),
      },
      principal,
      'create',
    );
  } catch (e) {
    await deps.drafts.releaseDraft(draftId);
    throw e;
  }
  await deps.drafts.decideDraft(draftId, 'accepted', request.obligationId, principal.actor, deps.edit.clock.now());
  return request.obligationId;
}

/** "Chấp nhận tất cả": every undecided draft, with its suggested id and title, for the same units. Stops at the first problem. */
export async function acceptAllDrafts(deps: ImportDeps, directiveId: string, assignees: AcceptRequest['assignees'], principal: Principal): Promise<string[]> {
  const accepted: string[] = [];
  const drafts = await deps.drafts.draftsOf(directiveId);
  await authorizeDrafts(deps, principal, drafts);
  for (const record of drafts) {
    // A date without its year cannot be accepted as it is: it stays for the admin.
    if (record.status !== 'draft' || !record.draft.dueRule) continue;
    accepted.push(await acceptDraft(deps, record.id, { obligationId: suggestedObligationId(record), title: record.draft.title || record.draft.phrase, assignees }, principal));
  }
  return accepted;
}

export async function rejectDraft(deps: ImportDeps, draftId: number, principal: Principal): Promise<void> {
  await pendingDraft(deps, draftId, principal);
  if (!(await deps.drafts.decideDraft(draftId, 'rejected', null, principal.actor, deps.edit.clock.now()))) {
    throw new CatalogueEditError(409, 'dự thảo này vừa được người khác duyệt: hãy tải lại trang');
  }
}

async function pendingDraft(deps: ImportDeps, draftId: number, principal: Principal): Promise<DraftRecord> {
  if (principal.role !== 'admin') throw new AccessError(403, 'chỉ quản trị viên được duyệt dự thảo nhiệm vụ');
  const record = await deps.drafts.draft(draftId);
  if (!record) throw new CatalogueEditError(404, `không có dự thảo ${draftId}`);
  await authorizeDrafts(deps, principal, [record]);
  const state = { accepting: 'đang được người khác chấp nhận', accepted: 'đã được chấp nhận', rejected: 'đã được bỏ qua', draft: '' }[record.status];
  if (record.status !== 'draft') throw new CatalogueEditError(409, `dự thảo ${draftId} ${state}: hãy tải lại trang`);
  return record;
}

/** The rule as the catalogue's input schema writes it (the console's rule builder and YAML use this shape). */
export function ruleInputOf(rule: DueRule): RuleInput {
  switch (rule.kind) {
    case 'period': {
      const w = rule.window;
      const base = { kind: 'period' as const, unit: w.unit, ...(rule.orOnEvent ? { orOnEvent: rule.orOnEvent } : {}) };
      if (w.unit === 'range') return { ...base, start: w.start, end: w.end };
      if (w.unit === 'quarter') return { ...base, year: w.year, quarter: w.quarter };
      if (w.unit === 'month') return { ...base, year: w.year, month: w.month };
      if (w.unit === 'half') return { ...base, year: w.year, half: w.half };
      return { ...base, year: w.year };
    }
    case 'semiannual':
      return { kind: 'semiannual', ...(rule.dates ? { dates: [{ ...rule.dates[0] }, { ...rule.dates[1] }] } : {}), ...(rule.orOnEvent ? { orOnEvent: rule.orOnEvent } : {}) } as RuleInput;
    default:
      return { ...rule } as RuleInput;
  }
}

/** A suggested obligation id: the directive's id and the draft's place ("dmc-159-2020.3"). */
export const suggestedObligationId = (record: DraftRecord): string => `${record.directiveId}.${record.position + 1}`;
