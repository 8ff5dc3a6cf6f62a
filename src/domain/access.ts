/**
 * Who may do what (DESIGN §1 users). A principal acts within a unit and everything under it:
 * - admin: manages its unit and the units below; decisions about a unit's own duty (approving
 *   its extension, waiving it) belong to an admin above that unit, never to the unit itself;
 * - officer: acts on its own unit's assignments (complete, acknowledge, ask for an extension);
 * - viewer: reads (leaders' dashboards), changes nothing.
 * A principal with no unit (the bootstrap admin token) is above every unit.
 */
export type Role = 'admin' | 'officer' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'officer', 'viewer'];

export interface Principal {
  readonly role: Role;
  /** null: above every unit (HANCHOT_ADMIN_TOKEN). */
  readonly unitId: string | null;
  /** How the audit log names them: "user:lan", "token:erp-sync", "api:admin". */
  readonly actor: string;
}

export type Action = 'read' | 'complete' | 'acknowledge' | 'request_extension' | 'decide_extension' | 'reopen' | 'waive' | 'manage';

export interface Target {
  readonly unitId: string;
  /** The target unit's ancestors, nearest first. */
  readonly ancestors: readonly string[];
}

const OFFICER_ACTIONS: readonly Action[] = ['read', 'complete', 'acknowledge', 'request_extension'];
/** Decided from above: the unit concerned may not decide them for itself. */
const FROM_ABOVE: readonly Action[] = ['decide_extension', 'waive'];

export function can(principal: Principal, action: Action, target: Target): boolean {
  const everywhere = principal.unitId === null;
  const own = principal.unitId === target.unitId;
  const above = everywhere || (principal.unitId !== null && target.ancestors.includes(principal.unitId));
  switch (principal.role) {
    case 'admin':
      return FROM_ABOVE.includes(action) ? above : own || above;
    case 'officer':
      return OFFICER_ACTIONS.includes(action) && (own || everywhere);
    case 'viewer':
      return action === 'read' && (own || above);
  }
}

/** The units a principal may read, given the unit tree: its own subtree (all when it has no unit). */
export function readableUnits(principal: Principal, tree: readonly { id: string; parent: string | null }[]): Set<string> | 'all' {
  if (principal.unitId === null) return 'all';
  const children = new Map<string, string[]>();
  for (const u of tree) if (u.parent !== null) children.set(u.parent, [...(children.get(u.parent) ?? []), u.id]);
  const out = new Set<string>();
  const stack = [principal.unitId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    if (principal.role !== 'officer') stack.push(...(children.get(id) ?? []));
  }
  return out;
}
