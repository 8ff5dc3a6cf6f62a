import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

/** What a query needs: PostgreSQL through `pg`, or PGlite in-process. Same SQL for both. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: all of it is committed, or none of it. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// `date` stays "YYYY-MM-DD": a JS Date would shift it through the process time zone.
const DATE_OID = 1082;
const identity = (v: string) => v;

export interface PostgresOptions {
  readonly url: string;
  /** Confine every connection to one schema (tests isolate themselves this way). */
  readonly schema?: string;
  readonly max?: number;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // Prepared statements (below) are planned for their values every time, never with a generic
    // plan: a generic plan of `unit_id = any($3)` over 130,000 assignments hash-joined the whole
    // table for each page of an escalation notice (seconds per page instead of milliseconds).
    options: [options.schema ? `-c search_path=${quoteIdent(options.schema)}` : '', '-c plan_cache_mode=force_custom_plan'].filter(Boolean).join(' '),
    types: { getTypeParser: (oid: number, format?: string) => (oid === DATE_OID ? identity : pg.types.getTypeParser(oid, format as 'text')) } as pg.CustomTypesConfig,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  if (options.schema) {
    const client = await pool.connect();
    try {
      await client.query(`create schema if not exists ${quoteIdent(options.schema)}`);
    } finally {
      client.release();
    }
  } else {
    await pool.query('select 1');
  }
  const named = preparedNames();
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    const name = params && params.length > 0 ? named(text) : undefined;
    return (await (name ? client.query({ name, text, values: params as unknown[] }) : client.query(text, params as unknown[]))).rows as R[];
  };
  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    exec: async (text) => void (await pool.query(text)),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({ query: (text, params) => run(client, text, params), exec: async (text) => void (await client.query(text)) });
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Names for the statements the service runs over and over (the claim of every message, the
 * finish, the fan-out's reads): each pooled connection then parses one once, not per call
 * (planning still happens per call: plan_cache_mode=force_custom_plan, see openPostgres).
 * A text is named from its third use, so SQL built per call (a varying number of rows) does not
 * fill every connection with statements used once; at most MAX_PREPARED texts are ever named.
 */
function preparedNames(): (text: string) => string | undefined {
  const uses = new Map<string, number>();
  const names = new Map<string, string>();
  return (text) => {
    const known = names.get(text);
    if (known) return known;
    if (names.size >= MAX_PREPARED) return undefined;
    const n = (uses.get(text) ?? 0) + 1;
    if (n < 3) {
      if (uses.size < 10 * MAX_PREPARED) uses.set(text, n);
      return undefined;
    }
    uses.delete(text);
    const name = `hc_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
    return name;
  };
}

const MAX_PREPARED = 500;

/** PGlite persisted under `dataDir`, or in memory when it is undefined. */
/** Another process holds the embedded database: PGlite is single-process. */
export class DatabaseBusy extends Error {}

/**
 * PGlite keeps its files for one process only: a second process opening the same folder would
 * read stale pages and could damage them. A lock file next to the folder holds the owner's pid;
 * a lock left by a process that died is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${dataDir}.lock`;
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      return async () => void (await rm(lock, { force: true }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new DatabaseBusy(
          `cơ sở dữ liệu nhúng ${dataDir} đang được tiến trình ${pid} dùng (hanchot start?). PGlite chỉ cho một tiến trình: dừng tiến trình đó, hoặc dùng PostgreSQL (DATABASE_URL) để chạy lệnh song song; khi dịch vụ đang chạy, dùng liên kết trong thư hoặc API /api/v1.`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new DatabaseBusy(`không khóa được ${lock}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let unlock: () => Promise<void> = async () => undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  const db = await PGlite.create(dataDir, { parsers: { [DATE_OID]: identity } }).catch(async (e: unknown) => {
    await unlock();
    throw e;
  });
  // PGlite runs one statement at a time; a transaction holds it, so queries outside wait their turn.
  return {
    kind: 'pglite',
    query: async (text, params) => (await db.query(text, params as unknown[])).rows as never[],
    exec: async (text) => void (await db.exec(text)),
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async (text, params) => (await tx.query(text, params as unknown[])).rows as never[],
          exec: async (text) => void (await tx.exec(text)),
        }),
      ),
    close: async () => {
      await db.close();
      await unlock();
    },
  };
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
