import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractDirective } from '../../src/domain/extract/index.js';
import { runCapture } from '../support/cli.js';

const seed = fileURLToPath(new URL('../fixtures/seeds/002_2904283af29c99e8.txt', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/src/main/cli.js', import.meta.url));

describe('hanchot extract', () => {
  it('lists every deadline of a seed directive in readable Vietnamese', async () => {
    const { code, out } = await runCapture(['extract', seed]);
    expect(code).toBe(0);
    expect(out).toContain('số 865-CV/HU — HUYỆN ỦY TAM ĐƯỜNG, ban hành 07/03/2023');
    expect(out).toContain('Tìm thấy 3 thời hạn');
    expect(out).toContain('«hoàn thành trước ngày 31/5/2023»');
    expect(out).toContain('tức là chậm nhất ngày 30/05/2023');
  });

  it('--json prints exactly the documented shape, the same as the engine', async () => {
    const { code, out } = await runCapture(['extract', seed, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { directive: Record<string, unknown>; obligations: Record<string, unknown>[] };
    expect(Object.keys(parsed.directive)).toEqual(expect.arrayContaining(['number', 'issuer', 'issuedOn']));
    for (const o of parsed.obligations) {
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['kind', 'due', 'dueEffective', 'bound', 'windowStart', 'rule', 'orOnEvent', 'phrase', 'span', 'sentence', 'title', 'confidence']));
    }
    expect(parsed).toEqual(JSON.parse(JSON.stringify(extractDirective(readFileSync(seed, 'utf8')))));
  });

  it('reads standard input with "-" and takes --issued for dates without a year', () => {
    const r = spawnSync(process.execPath, [cli, 'extract', '-', '--issued', '2020-03-20', '--json'], { input: 'Các đơn vị gửi báo cáo trước ngày 10-4.', encoding: 'utf8' });
    expect(r.status).toBe(0);
    const o = (JSON.parse(r.stdout) as { obligations: { due: string; dueEffective: string }[] }).obligations[0];
    expect([o?.due, o?.dueEffective]).toEqual(['2020-04-10', '2020-04-09']);
  });

  it.each([
    ['a missing file', (dir: string) => join(dir, 'none.txt'), /Không đọc được tệp/],
    ['a PDF', (dir: string) => { const f = join(dir, 'a.pdf'); writeFileSync(f, '%PDF-1.7 binary'); return f; }, /PDF hoặc Word/],
    ['a binary file', (dir: string) => { const f = join(dir, 'a.bin'); writeFileSync(f, Buffer.from([65, 0, 66])); return f; }, /không phải văn bản thuần/],
    ['an empty file', (dir: string) => { const f = join(dir, 'e.txt'); writeFileSync(f, '  \n'); return f; }, /Văn bản trống/],
  ])('refuses %s with a message saying what to do (exit 1)', async (_name, make, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'hanchot-extract-'));
    const { code, err } = await runCapture(['extract', make(dir)]);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });

  it('rejects a malformed --issued and a missing file argument (exit 2)', async () => {
    expect((await runCapture(['extract', seed, '--issued', '2020-13-01'])).code).toBe(2);
    expect((await runCapture(['extract'])).code).toBe(2);
  });
});
