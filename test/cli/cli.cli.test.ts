import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/main/cli.js';
import { CONFIG_DIR } from '../support/shipped-config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** stderr without the missing-decree warning, whose presence depends on today's date. */
const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('Cảnh báo:'));

describe('hanchot CLI', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help prints usage and options, exit 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli(name, flag);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Cách dùng: hanchot ${name}`);
      if (COMMANDS.find((c) => c.name === name)!.options.config) expect(r.out).toContain('--config DIR');
    }
  });

  it('bare hanchot and help list every command', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      for (const c of COMMANDS) expect(r.out).toContain(`${c.name}  `);
    }
    const topic = await cli('help', 'preview');
    expect(topic.out).toContain('Cách dùng: hanchot preview');
  });

  const BAD: { argv: string[]; says: RegExp }[] = [
    { argv: ['frobnicate'], says: /unknown command/ },
    { argv: ['preview', '--to', '2027-12-31'], says: /missing --from/ },
    { argv: ['preview', '--from', '2027-02-31', '--to', '2027-12-31'], says: /not a real date/ },
    { argv: ['preview', '--from', '2027-1-1', '--to', '2027-12-31'], says: /not a real date/ },
    { argv: ['preview', '--from', '2027-12-31', '--to', '2027-01-01'], says: /ends before it starts/ },
    { argv: ['preview', '--from', '2027-01-01', '--to', '2027-12-31', '--colour'], says: /unknown option/ },
    { argv: ['preview', '--from'], says: /needs a value/ },
    { argv: ['preview', 'extra', '--from', '2027-01-01', '--to', '2027-12-31'], says: /extra argument/ },
    { argv: ['calendar'], says: /missing argument/ },
    { argv: ['calendar', '27'], says: /year must be/ },
    { argv: ['calendar', '2027', '2028'], says: /extra argument/ },
    { argv: ['validate', 'now'], says: /extra argument/ },
  ];
  it.each(BAD)('$argv exits 2 with one line that says why', async ({ argv, says }) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(says);
    expect(lines[0]).toMatch(/--help/);
  });

  it('preview --unit with an unknown unit fails with exit 1', async () => {
    const r = await cli('preview', '--from', '2027-01-01', '--to', '2027-12-31', '--unit', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope/);
  });

  it('preview --json has the documented shape', async () => {
    const r = await cli('preview', '--from', '2027-10-01', '--to', '2027-11-30', '--json');
    expect(r.code).toBe(0);
    expect(errors(r.err)).toEqual([]);
    const json = JSON.parse(r.out) as {
      occurrences: Record<string, unknown>[];
      reminders: Record<string, unknown>[];
      undated: Record<string, unknown>[];
    };
    expect(json.occurrences.length).toBeGreaterThan(0);
    for (const o of json.occurrences) {
      expect(o).toMatchObject({ obligationId: expect.any(String), directive: expect.any(String), title: expect.any(String), key: expect.any(String) });
      expect(o.nominalDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(o.effectiveDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(o.effectiveDue! >= o.nominalDue!).toBe(true);
    }
    const report = json.occurrences.find((o) => o.nominalDue === '2027-10-30' && o.key === '2027');
    expect(report).toMatchObject({ effectiveDue: '2027-11-01' });
    expect(json.reminders.length).toBeGreaterThan(0);
    for (const r of json.reminders) {
      expect(r).toMatchObject({ obligationId: expect.any(String), key: expect.any(String), step: expect.any(String) });
      expect(r.fireAt).toMatch(/^\d{4}-\d{2}-\d{2}T08:00:00(\.000)?\+07:00$/);
    }
  });

  it('preview prints a Vietnamese table with the totals', async () => {
    const r = await cli('preview', '--from', '2027-10-01', '--to', '2027-11-30', '--unit', 'dmc');
    expect(r.code).toBe(0);
    expect(r.out).toContain('KỲ ĐẾN HẠN');
    expect(r.out).toContain('LƯỢT NHẮC');
    expect(r.out).toContain('thứ Bảy, 30/10/2027');
    expect(r.out).toContain('thứ Hai, 01/11/2027');
    expect(r.out).toMatch(/Tổng: \d+ kỳ đến hạn, \d+ lượt nhắc/);
  });

  it('calendar 2027 --json lists the statutory days with substitutes', async () => {
    const r = await cli('calendar', '2027', '--json');
    expect(r.code).toBe(0);
    const days = JSON.parse(r.out) as { date: string; name: string; kind: string; source: string }[];
    for (const d of days) {
      expect(Object.keys(d).sort()).toEqual(['date', 'kind', 'name', 'source']);
      expect(['holiday', 'substitute', 'swap_off', 'swap_work']).toContain(d.kind);
    }
    const byKind = (kind: string) => days.filter((d) => d.kind === kind).map((d) => d.date);
    // Labour Code 2019 art. 112; 2027 has no decree yet, so Tết is the last day of the lunar year
    // (5/2) plus mùng 1–4 (6–9/2), and the two that fall on the weekend get substitutes (art. 111(3)).
    expect(byKind('holiday')).toEqual([
      '2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09',
      '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-02', '2027-09-03',
    ]);
    expect(byKind('substitute')).toEqual(['2027-02-10', '2027-02-11', '2027-05-03']);
  });

  it('validate reports every problem of a broken config with file and line, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hanchot-cli-'));
    try {
      await cp(CONFIG_DIR, dir, { recursive: true });
      const file = join(dir, 'catalogue/directives/dmc-159-2020.yaml');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('childrenOf: [dmc]', 'childrenOf: [no-such-unit]').replace(/kind: yearly/, 'kind: yearlyy'));
      const r = await cli('validate', '--config', dir);
      expect(r.code).toBe(1);
      const lines = errors(r.err);
      expect(lines[0]).toMatch(/2 lỗi/);
      expect(lines.slice(1).every((l) => /dmc-159-2020\.yaml:\d+:\d+/.test(l))).toBe(true);
      expect(r.err).toMatch(/no-such-unit/);
      expect(r.err).toMatch(/yearlyy|kind/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('validate accepts the shipped config', async () => {
    const r = await cli('validate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Cấu hình hợp lệ: 5 văn bản/);
  });

  it('the installed bin runs through npx', async () => {
    const { stdout } = await run('npx', ['--no-install', 'hanchot', 'calendar', '2027', '--json'], { cwd: ROOT });
    expect((JSON.parse(stdout) as unknown[]).length).toBe(14);
    const failed = await run('npx', ['--no-install', 'hanchot', 'calendar', 'abc'], { cwd: ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(2);
  }, 30_000);
});
