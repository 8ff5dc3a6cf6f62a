import { z } from 'zod';
import { AccessError, authorize, type AccessStore } from './access.js';
import type { Settings } from './catalogue/catalogue.js';
import { escalationPolicyFrom, toDueRule } from './catalogue/load-catalogue.js';
import { contactInput, directiveHeader, obligationInput } from './catalogue/schemas.js';
import type { EscalationPolicy } from '../domain/escalation.js';
import { isDomainError } from '../domain/errors.js';
import { parseLadder } from '../domain/ladder.js';
import { localDateOf } from '../domain/instant.js';
import type { Principal } from '../domain/access.js';
import type { JobQueue } from './job-queue.js';
import type { Clock } from './ports.js';
import type { CatalogueStore, ContactRecord, DirectiveRecord, ObligationRecord, PlanStore, RecordSnapshot, StoredObligation, UnitRecord } from './stores.js';
import { readableUnits } from '../domain/access.js';
import { assignedUnits } from '../domain/obligation.js';
import { contactRecord, diff, directiveRecord, obligationChange, obligationRecord } from './sync.js';

/**
 * Directives and obligations entered in the console or through the API (origin 'console'). The
 * same schemas and rules as config/ apply; rows that config/ manages are read-only here (they
 * would be overwritten at the next sync), and every change is audit-logged and replanned at once.
 */
export interface CatalogueEditDeps {
  readonly store: CatalogueStore & Pick<PlanStore, 'unitTree'>;
  readonly access: Pick<AccessStore, 'unitAncestors'>;
  readonly queue: Pick<JobQueue, 'requestPlan'>;
  readonly clock: Clock;
  readonly settings: Settings;
  /** The calendar's zone: a unit's joining day is a local date. */
  readonly zone: string;
}

export class CatalogueEditError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export const obligationBody = obligationInput.extend({ directiveId: z.string().min(1) });
export type ObligationBody = z.infer<typeof obligationBody>;

async function guardOrigin(deps: CatalogueEditDeps, kind: 'directives' | 'obligations', id: string, mustExist: boolean): Promise<void> {
  const origin = await deps.store.originOf(kind, id);
  if (mustExist && !origin) throw new CatalogueEditError(404, `không có ${kind === 'directives' ? 'văn bản' : 'nhiệm vụ'} "${id}"`);
  if (!mustExist && origin) throw new CatalogueEditError(409, `đã có ${kind === 'directives' ? 'văn bản' : 'nhiệm vụ'} "${id}"`);
  if (origin === 'config') throw new CatalogueEditError(409, `"${id}" được khai trong config/ (YAML): sửa ở đó rồi chạy hanchot sync; sửa ở đây sẽ bị ghi đè`);
}

export async function createDirective(deps: CatalogueEditDeps, body: z.infer<typeof directiveHeader>, principal: Principal): Promise<DirectiveRecord> {
  adminsOnly(principal, 'thêm văn bản');
  await guardOrigin(deps, 'directives', body.id, false);
  const record = directiveRecord(body);
  await deps.store.applySync({ directives: diff(new Map(), [record]), units: [], contacts: [], obligations: [] }, deps.clock.now(), principal.actor, 'console');
  return record;
}

/** Creates (no `existing`) or replaces a console obligation; returns the stored record. */
const adminsOnly = (principal: Principal, what: string) => {
  if (principal.role !== 'admin') throw new AccessError(403, `chỉ quản trị viên được ${what}`);
};

export async function saveObligation(deps: CatalogueEditDeps, body: ObligationBody, principal: Principal, mode: 'create' | 'replace'): Promise<ObligationRecord> {
  adminsOnly(principal, mode === 'create' ? 'thêm nhiệm vụ' : 'sửa nhiệm vụ');
  await guardOrigin(deps, 'obligations', body.id, mode === 'replace');
  const snapshot = await deps.store.snapshot('all');
  const directive = snapshot.directives.get(body.directiveId);
  if (!directive) throw new CatalogueEditError(404, `không có văn bản "${body.directiveId}"`);
  const issues: { path: string; message: string }[] = [];
  const rule = toDueRule(body.rule, deps.settings, (path, message) => issues.push({ path: ['rule', ...path].join('.'), message }));
  try {
    if (body.ladder) parseLadder(body.ladder);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    issues.push({ path: 'ladder', message: e.message });
  }
  let escalation: EscalationPolicy | null = null;
  if (body.escalation) {
    try {
      escalation = escalationPolicyFrom(body.escalation);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      issues.push({ path: 'escalation', message: e.message });
    }
  }
  const units = body.assignees.units ?? [];
  const childrenOf = body.assignees.childrenOf ?? [];
  if (units.length + childrenOf.length === 0) issues.push({ path: 'assignees', message: 'chưa giao cho đơn vị nào' });
  const live = new Set((await deps.store.unitTree()).map((u) => u.id));
  [...units.map((u, i) => [`assignees.units.${i}`, u] as const), ...childrenOf.map((u, i) => [`assignees.childrenOf.${i}`, u] as const)].forEach(([path, u]) => {
    if (!live.has(u)) issues.push({ path, message: `đơn vị "${u}" không tồn tại` });
  });
  if (body.validFrom && body.validUntil && body.validUntil < body.validFrom) issues.push({ path: 'validUntil', message: 'hiệu lực kết thúc trước khi bắt đầu' });
  if (!rule || issues.length > 0) throw new CatalogueEditError(400, 'nhiệm vụ không hợp lệ', issues);
  // An admin assigns only within its own scope, and replaces only an obligation it manages.
  const before = snapshot.obligations.get(body.id);
  const current = before ? [...before.assignees.units, ...before.assignees.childrenOf] : [];
  for (const u of new Set([...units, ...childrenOf, ...current])) await authorize(deps.access, principal, 'manage', u);
  const record = obligationRecord({
    ...body,
    rule,
    roll: body.roll ?? deps.settings.roll,
    ladder: body.ladder ?? null,
    escalation,
    validFrom: body.validFrom ?? directive.termFrom ?? directive.issuedOn,
    validUntil: body.validUntil ?? directive.termUntil ?? null,
    assignees: { units, childrenOf },
  });
  const change = obligationChange(before && stripRevision(before), record, body.id);
  if (!change) return record;
  await deps.store.applySync({ directives: [], units: [], contacts: [], obligations: [change] }, deps.clock.now(), principal.actor, 'console');
  if (change.replan) await deps.queue.requestPlan({ obligationIds: [body.id] });
  return record;
}

export async function deleteObligation(deps: CatalogueEditDeps, id: string, principal: Principal): Promise<void> {
  adminsOnly(principal, 'xóa nhiệm vụ');
  await guardOrigin(deps, 'obligations', id, true);
  const before = (await deps.store.snapshot('all')).obligations.get(id)!;
  for (const u of [...before.assignees.units, ...before.assignees.childrenOf]) await authorize(deps.access, principal, 'manage', u);
  const change = obligationChange(stripRevision(before), undefined, id)!;
  await deps.store.applySync({ directives: [], units: [], contacts: [], obligations: [change] }, deps.clock.now(), principal.actor, 'console');
  await deps.queue.requestPlan({ obligationIds: [id] });
}

function stripRevision<T extends { revision: number }>(row: T): Omit<T, 'revision'> {
  const { revision: _revision, ...rest } = row;
  return rest;
}

export const contactBody = contactInput.extend({ unitId: z.string().min(1) });
export type ContactBody = z.infer<typeof contactBody>;

/** Adds or replaces a person of a unit (console origin); an admin over that unit decides. */
export async function saveContact(deps: CatalogueEditDeps, body: ContactBody, principal: Principal, mode: 'create' | 'replace'): Promise<ContactRecord> {
  adminsOnly(principal, mode === 'create' ? 'thêm người nhận' : 'sửa người nhận');
  const origin = await deps.store.originOf('contacts', body.id);
  if (mode === 'create' && origin) throw new CatalogueEditError(409, `đã có người nhận "${body.id}"`);
  if (mode === 'replace' && !origin) throw new CatalogueEditError(404, `không có người nhận "${body.id}"`);
  if (origin === 'config') throw new CatalogueEditError(409, `"${body.id}" được khai trong config/catalogue/units.yaml: sửa ở đó rồi chạy hanchot sync`);
  if (!(await deps.store.originOf('units', body.unitId))) throw new CatalogueEditError(404, `không có đơn vị "${body.unitId}"`, [{ path: 'unitId', message: 'không tồn tại' }]);
  await authorize(deps.access, principal, 'manage', body.unitId);
  const snapshot = await deps.store.snapshot('all');
  // Editing (or moving) a person needs the right over the unit they belong to now, too.
  const stored = snapshot.contacts.get(body.id);
  if (stored && stored.unitId !== body.unitId) await authorize(deps.access, principal, 'manage', stored.unitId);
  const record = contactRecord(body);
  const contacts = diff(new Map(stored ? [[body.id, stored]] : []), [record]);
  if (contacts.length > 0) await deps.store.applySync({ directives: [], units: [], contacts, obligations: [] }, deps.clock.now(), principal.actor, 'console');
  return record;
}

export async function deleteContact(deps: CatalogueEditDeps, id: string, principal: Principal): Promise<void> {
  adminsOnly(principal, 'xóa người nhận');
  const origin = await deps.store.originOf('contacts', id);
  if (!origin) throw new CatalogueEditError(404, `không có người nhận "${id}"`);
  if (origin === 'config') throw new CatalogueEditError(409, `"${id}" được khai trong config/catalogue/units.yaml: xóa ở đó rồi chạy hanchot sync`);
  const before = (await deps.store.snapshot('all')).contacts.get(id)!;
  await authorize(deps.access, principal, 'manage', before.unitId);
  await deps.store.applySync({ directives: [], units: [], contacts: diff(new Map([[id, before]]), []), obligations: [] }, deps.clock.now(), principal.actor, 'console');
}

export const unitBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'id chỉ gồm chữ thường không dấu, số, ".", "_", "-"'),
  name: z.string().trim().min(1, 'không được để trống'),
  kind: z.enum(['province', 'district', 'grassroots']),
  parentId: z.string().min(1),
  leaderContactId: z.string().min(1).optional(),
});
export type UnitBody = z.infer<typeof unitBody>;

/**
 * Adds a unit under an existing one (console origin), decided by an admin over the parent; every
 * obligation given to "all units under" the parent reaches it at the next planner run.
 */
export async function createUnit(deps: CatalogueEditDeps, body: UnitBody, principal: Principal): Promise<UnitRecord> {
  adminsOnly(principal, 'thêm đơn vị');
  if (await deps.store.originOf('units', body.id)) throw new CatalogueEditError(409, `đã có đơn vị "${body.id}"`);
  if (!(await deps.store.originOf('units', body.parentId))) throw new CatalogueEditError(404, `không có đơn vị cấp trên "${body.parentId}"`, [{ path: 'parentId', message: 'không tồn tại' }]);
  await authorize(deps.access, principal, 'manage', body.parentId);
  const record: UnitRecord = { id: body.id, parentId: body.parentId, name: body.name, kind: body.kind, leaderContactId: body.leaderContactId ?? null, standingCommittee: null };
  const now = deps.clock.now();
  await deps.store.applySync({ directives: [], units: diff(new Map(), [record]), contacts: [], obligations: [] }, now, principal.actor, 'console');
  // It owes what falls due from today on, not the deadlines that passed before it existed.
  await deps.store.setUnitJoined(record.id, localDateOf(now, deps.zone));
  await deps.queue.requestPlan({ obligationIds: [] });
  return record;
}

const contactId = z.string().min(1).max(200);
/**
 * A unit's changes: its name, its place in the tree (parentId), its leader (chủ tịch: told first
 * when the unit is overdue, escalation level unit_leader) and its Ban Thường vụ (told when a unit
 * below it is overdue, level parent_leadership; null or empty: the leader stands for it).
 */
export const unitPatchBody = z
  .strictObject({
    name: z.string().trim().min(1, 'không được để trống').max(200).optional(),
    parentId: z.string().min(1).max(200).optional(),
    leaderContactId: contactId.nullable().optional(),
    standingCommittee: z.array(contactId).max(50).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'không có gì để sửa: gửi ít nhất một trong name, parentId, leaderContactId, standingCommittee');
export type UnitPatch = z.infer<typeof unitPatchBody>;

/**
 * Renames, moves (a new parent), or sets the leader and the Ban Thường vụ of a console unit. An
 * admin over the unit decides, and a move needs it over the new parent too; a move under the unit
 * itself or one of its own units would make a cycle (409). A move changes who owes what is given
 * to "all units under" a unit, so everything is planned again; the other fields are read when a
 * message is sent. config/ units answer 409 (edit units.yaml).
 */
export async function updateUnit(deps: CatalogueEditDeps, id: string, patch: UnitPatch, principal: Principal): Promise<UnitRecord> {
  adminsOnly(principal, 'sửa đơn vị');
  const snapshot = await deps.store.snapshot('all');
  const before = snapshot.units.get(id);
  if (!before) throw new CatalogueEditError(404, `không có đơn vị "${id}"`);
  await authorize(deps.access, principal, 'manage', id);
  if ((await deps.store.originOf('units', id)) === 'config') throw new CatalogueEditError(409, `đơn vị "${id}" được khai trong config/catalogue/units.yaml: sửa ở đó rồi chạy hanchot sync; sửa ở đây sẽ bị ghi đè`);
  const issues: { path: string; message: string }[] = [];
  const ownPeople = new Set([...snapshot.contacts.values()].filter((c) => c.unitId === id).map((c) => c.id));
  if (patch.leaderContactId && !ownPeople.has(patch.leaderContactId)) issues.push({ path: 'leaderContactId', message: `"${patch.leaderContactId}" không phải người nhận của đơn vị này: thêm người đó vào đơn vị trước` });
  patch.standingCommittee?.forEach((m, i) => {
    if (!ownPeople.has(m)) issues.push({ path: `standingCommittee.${i}`, message: `"${m}" không phải người nhận của đơn vị này` });
    else if (patch.standingCommittee!.indexOf(m) !== i) issues.push({ path: `standingCommittee.${i}`, message: `"${m}" có hai lần` });
  });
  if (issues.length > 0) throw new CatalogueEditError(400, 'đơn vị không hợp lệ', issues);
  const parentId = patch.parentId ?? before.parentId;
  const moved = parentId !== before.parentId;
  if (moved && parentId !== null) {
    if (!snapshot.units.has(parentId)) throw new CatalogueEditError(404, `không có đơn vị cấp trên "${parentId}"`, [{ path: 'parentId', message: 'không tồn tại' }]);
    await authorize(deps.access, principal, 'manage', parentId);
    // The new parent's ancestors (itself first) may not include the unit: that would be a loop.
    for (let at: string | null = parentId; at !== null; at = snapshot.units.get(at)?.parentId ?? null) {
      if (at === id) throw new CatalogueEditError(409, `không thể chuyển "${id}" vào dưới "${parentId}": "${parentId}" là chính nó hoặc thuộc nó (cây đơn vị sẽ thành vòng)`, [{ path: 'parentId', message: 'tạo vòng' }]);
    }
  }
  const after: UnitRecord = {
    ...before,
    name: patch.name ?? before.name,
    parentId,
    leaderContactId: patch.leaderContactId === undefined ? before.leaderContactId : patch.leaderContactId,
    standingCommittee: patch.standingCommittee === undefined ? before.standingCommittee : patch.standingCommittee && patch.standingCommittee.length > 0 ? patch.standingCommittee : null,
  };
  const change = diff(new Map([[id, before]]), [after]);
  if (change.length === 0) return after;
  await deps.store.applySync({ directives: [], units: change, contacts: [], obligations: [] }, deps.clock.now(), principal.actor, 'console');
  if (moved) await deps.queue.requestPlan({ obligationIds: [] });
  return after;
}

/**
 * The obligations a principal may see: those assigned to at least one unit it reads, filtered by
 * directive and unit. One rule for the API and the console.
 */
export async function obligationsInScope(
  store: Pick<CatalogueStore, 'snapshot'>,
  principal: Principal,
  filter: { directiveId?: string; unitId?: string; id?: string } = {},
): Promise<{ snapshot: RecordSnapshot; obligations: StoredObligation[]; unitsOf: (o: StoredObligation) => string[] }> {
  const snapshot = await store.snapshot('all');
  const tree = [...snapshot.units.values()].map((u) => ({ id: u.id, parent: u.parentId, name: u.name, kind: u.kind, contacts: [] }));
  const readable = readableUnits(principal, tree);
  const unitsOf = (o: StoredObligation) => assignedUnits(o.assignees, tree);
  const obligations = [...snapshot.obligations.values()]
    .filter((o) => {
      const units = unitsOf(o);
      return (!filter.id || o.id === filter.id) && (!filter.directiveId || o.directiveId === filter.directiveId) && (!filter.unitId || units.includes(filter.unitId)) && (readable === 'all' || units.some((u) => readable.has(u)));
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { snapshot, obligations, unitsOf };
}

/** An obligation's reminder goes to every unit it is assigned to: acting on it needs 'manage' on each. */
export async function authorizeObligation(deps: Pick<CatalogueEditDeps, 'store' | 'access'>, principal: Principal, obligationId: string): Promise<StoredObligation> {
  const snapshot = await deps.store.snapshot('all');
  const o = snapshot.obligations.get(obligationId);
  if (!o) throw new CatalogueEditError(404, `không có nhiệm vụ "${obligationId}"`);
  const tree = [...snapshot.units.values()].map((u) => ({ id: u.id, parent: u.parentId, name: u.name, kind: u.kind, contacts: [] }));
  for (const u of assignedUnits(o.assignees, tree)) await authorize(deps.access, principal, 'manage', u);
  return o;
}
