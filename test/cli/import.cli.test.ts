import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapture } from '../support/cli.js';

const seed = (name: string) => fileURLToPath(new URL(`../fixtures/seeds/${name}`, import.meta.url));

// The embedded record (PGlite) of a private data directory: what a fresh install would use.
let dir: string;
const saved = { ...process.env };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hanchot-import-'));
  delete process.env.DATABASE_URL;
  process.env.HANCHOT_DATA_DIR = dir;
  process.env.LOG_LEVEL = 'silent';
  process.env.REDIS_URL = 'redis://127.0.0.1:1';
  // Drafts belong to a unit: the record needs its unit tree first, as after any start.
  const empty = await runCapture(['import', seed('002_2904283af29c99e8.txt'), '--directive', 'tdg-865-2023']);
  expect([empty.code, empty.err]).toEqual([1, expect.stringContaining('hãy chạy hanchot sync')]);
  expect((await runCapture(['sync'])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});
const run = async (_dir: string, args: string[]) => {
  const r = await runCapture(args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

describe('hanchot import', () => {
  it('stores a directive and its drafts, unplanned, and says where to review them; a re-import replaces the undecided drafts', async () => {
    const first = await run(dir, ['import', seed('002_2904283af29c99e8.txt'), '--directive', 'tdg-865-2023', '--by', 'lan']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('Đã tạo văn bản tdg-865-2023 và lưu 3 dự thảo (chưa lập lịch nhắc)');
    expect(first.stdout).toContain('http://localhost:3000/import/tdg-865-2023/drafts');
    const second = await run(dir, ['import', seed('002_2904283af29c99e8.txt'), '--directive', 'tdg-865-2023']);
    expect(second.stdout).toContain('Đã cập nhật văn bản tdg-865-2023');

    const db = await PGlite.create(join(dir, 'pglite'));
    try {
      const drafts = await db.query<{ status: string; kind: string }>("select status, draft->>'kind' as kind from obligation_drafts where directive_id = 'tdg-865-2023' order by position");
      expect(drafts.rows).toEqual([{ status: 'draft', kind: 'once' }, { status: 'draft', kind: 'once' }, { status: 'draft', kind: 'period' }]);
      expect((await db.query("select 1 from obligations where directive_id = 'tdg-865-2023'")).rows).toEqual([]);
      expect((await db.query<{ number: string; actor: string }>("select d.number, a.actor from directives d join audit_log a on a.entity_id = d.id and a.action = 'create' where d.id = 'tdg-865-2023'")).rows).toEqual([{ number: '865-CV/HU', actor: 'cli:lan' }]);
    } finally {
      await db.close();
    }
  });

  it('asks for the header fields it could not read, by their flags, and writes nothing (exit 1); a bad id is a usage error (exit 2)', async () => {
    const r = await run(dir, ['import', seed('004_860cc40584db46df.txt'), '--directive', 'bt-2020']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('thêm --number, --issuer, --issued');
    expect((await run(dir, ['import', seed('004_860cc40584db46df.txt'), '--directive', 'Bad Id'])).status).toBe(2);
    expect((await run(dir, ['import', seed('004_860cc40584db46df.txt')])).status).toBe(2);
    const ok = await run(dir, ['import', seed('004_860cc40584db46df.txt'), '--directive', 'bt-2020', '--number', 'BT/2020', '--issuer', 'LĐLĐ tỉnh Bến Tre', '--issued', '2020-01-10']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('lưu 4 dự thảo');
  });
});
