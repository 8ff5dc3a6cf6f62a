import { randomBytes } from 'node:crypto';
import { openPglite, openPostgres, quoteIdent, type Database } from '../../src/adapters/postgres/database.js';

/** The machine's PostgreSQL (loopback only); TEST_DATABASE_URL may point at another loopback server. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (!/@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(TEST_POSTGRES_URL)) throw new Error('tests only talk to loopback');

export interface TestDatabase {
  readonly db: Database;
  dispose(): Promise<void>;
}

/** Each test gets its own schema on PostgreSQL, or its own in-memory PGlite. */
export const DATABASE_KINDS = {
  postgres: async (): Promise<TestDatabase> => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await openPostgres({ url: TEST_POSTGRES_URL, schema, max: 4 });
    return {
      db,
      async dispose() {
        await db.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
        await db.close();
      },
    };
  },
  pglite: async (): Promise<TestDatabase> => {
    const db = await openPglite(undefined);
    return { db, dispose: () => db.close() };
  },
} as const;

export type DatabaseKind = keyof typeof DATABASE_KINDS;
export const ALL_KINDS = Object.keys(DATABASE_KINDS) as DatabaseKind[];
