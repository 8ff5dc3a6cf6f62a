import { DateTime } from 'luxon';
import type { AccessStore, ApiTokenRow, UserRow } from '../../app/access.js';
import type { Role } from '../../domain/access.js';
import type { Database } from './database.js';

type Row = Record<string, unknown>;
const iso = (t: DateTime): string => t.toUTC().toISO()!;
const instant = (v: unknown): DateTime => DateTime.fromJSDate(v as Date, { zone: 'utc' });

/** Users, machine tokens and sessions in the record. */
export class PostgresAccessStore implements AccessStore {
  constructor(private readonly db: Database) {}

  async createUser(input: { username: string; displayName: string; passwordHash: string; role: Role; unitId: string | null }, now: DateTime): Promise<UserRow | undefined> {
    const [r] = await this.db.query(
      `insert into users (username, display_name, password_hash, role, unit_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)
       on conflict (username) do nothing returning *`,
      [input.username, input.displayName, input.passwordHash, input.role, input.unitId, iso(now)],
    );
    return r && userOf(r);
  }

  async userByUsername(username: string): Promise<UserRow | undefined> {
    const [r] = await this.db.query('select * from users where username = $1', [username]);
    return r && userOf(r);
  }

  async createApiToken(input: { name: string; tokenHash: string; role: Role; unitId: string | null; createdBy: string }, now: DateTime): Promise<ApiTokenRow> {
    const [r] = await this.db.query(
      'insert into api_tokens (name, token_hash, role, unit_id, created_by, created_at) values ($1, $2, $3, $4, $5, $6) returning *',
      [input.name, input.tokenHash, input.role, input.unitId, input.createdBy, iso(now)],
    );
    return tokenOf(r!);
  }

  async apiTokenByHash(hash: string): Promise<ApiTokenRow | undefined> {
    const [r] = await this.db.query('select * from api_tokens where token_hash = $1', [hash]);
    return r && tokenOf(r);
  }

  async apiTokens(): Promise<ApiTokenRow[]> {
    return (await this.db.query('select * from api_tokens order by id')).map(tokenOf);
  }

  async revokeApiToken(id: number, now: DateTime): Promise<boolean> {
    return (await this.db.query('update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null returning 1', [id, iso(now)])).length > 0;
  }

  async createSession(input: { idHash: string; userId: number; csrfToken: string; expiresAt: DateTime }, now: DateTime): Promise<void> {
    await this.db.query('delete from sessions where expires_at < $1', [iso(now)]);
    await this.db.query('insert into sessions (id_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)', [
      input.idHash,
      input.userId,
      input.csrfToken,
      iso(now),
      iso(input.expiresAt),
    ]);
  }

  async sessionByHash(idHash: string, now: DateTime): Promise<{ user: UserRow; csrfToken: string } | undefined> {
    const [r] = await this.db.query(
      `select u.*, s.csrf_token from sessions s join users u on u.id = s.user_id where s.id_hash = $1 and s.expires_at > $2`,
      [idHash, iso(now)],
    );
    return r && { user: userOf(r), csrfToken: r.csrf_token as string };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.query('delete from sessions where id_hash = $1', [idHash]);
  }

  async unitAncestors(unitId: string): Promise<string[] | undefined> {
    const rows = await this.db.query<{ id: string; parent_id: string | null; depth: number }>(
      `with recursive up(id, parent_id, depth) as (
         select id, parent_id, 0 from units where id = $1 and deleted_at is null
         union all
         select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id where up.depth < 64
       ) select id, parent_id, depth from up order by depth`,
      [unitId],
    );
    if (rows.length === 0) return undefined;
    return rows.slice(1).map((r) => r.id);
  }
}

function userOf(r: Row): UserRow {
  return {
    id: Number(r.id),
    username: r.username as string,
    displayName: r.display_name as string,
    passwordHash: r.password_hash as string,
    role: r.role as Role,
    unitId: (r.unit_id as string | null) ?? null,
    disabled: r.disabled_at !== null && r.disabled_at !== undefined,
  };
}

function tokenOf(r: Row): ApiTokenRow {
  return {
    id: Number(r.id),
    name: r.name as string,
    role: r.role as Role,
    unitId: (r.unit_id as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: instant(r.created_at),
    revokedAt: r.revoked_at ? instant(r.revoked_at) : null,
  };
}
