import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases.js';

let t: TestDatabase | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('the PostgreSQL connection', () => {
  it('prepares a statement from its third use, on the connection it runs on, with the same results', async () => {
    t = await DATABASE_KINDS.postgres();
    const db = t.db;
    await db.exec('create table pairs (k int primary key, v text)');
    await db.exec("insert into pairs select i, 'v' || i from generate_series(1, 10) i");
    const text = 'select v from pairs where k = $1';
    const seen = await db.transaction(async (tx) => {
      const values: string[] = [];
      const prepared: number[] = [];
      for (let k = 1; k <= 5; k++) {
        values.push(...(await tx.query<{ v: string }>(text, [k])).map((r) => r.v));
        const [row] = await tx.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements where statement = 'select v from pairs where k = $1'");
        prepared.push(row!.n);
      }
      return { values, prepared };
    });
    expect(seen.values).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(seen.prepared).toEqual([0, 0, 1, 1, 1]);
    // A statement without parameters is never prepared (migrations, DDL, one-off SQL).
    for (let i = 0; i < 4; i++) await db.query('select count(*) from pairs');
    const [plain] = await db.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements where statement like 'select count(*) from pairs%'");
    expect(plain!.n).toBe(0);
  });
});
