import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONFIG_FILE_BYTES } from '../../src/adapters/files/config-dir.js';
import { CommandFailed } from '../../src/main/cli-kit.js';
import { loadConfig } from '../../src/main/context.js';
import { CONFIG_DIR } from '../support/shipped-config.js';

// Catalogue YAML the loader tests (test/app/load-catalogue.test.ts) do not cover: files too big to
// parse and YAML alias bombs. Both are refused naming the file, and nothing is loaded.
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function configWith(relPath: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hanchot-badcfg-'));
  dirs.push(dir);
  await cp(CONFIG_DIR, dir, { recursive: true });
  await writeFile(join(dir, relPath), text);
  return dir;
}

async function failure(dir: string): Promise<string> {
  const e = await loadConfig(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CommandFailed);
  const f = e as CommandFailed;
  return [f.message, ...((f as unknown as { details?: string[] }).details ?? [])].join('\n');
}

describe('catalogue files that are too much', () => {
  it(`a directive file over ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB is refused before it is parsed, naming the file and its size`, async () => {
    const original = await readFile(join(CONFIG_DIR, 'catalogue/directives/dmc-159-2020.yaml'), 'utf8');
    const padding = `\n# ${'đệm '.repeat(40)}`.repeat(Math.ceil((MAX_CONFIG_FILE_BYTES + 1024) / 160));
    const dir = await configWith('catalogue/directives/dmc-159-2020.yaml', original + padding);
    const text = await failure(dir);
    expect(text).toContain('catalogue/directives/dmc-159-2020.yaml');
    expect(text).toMatch(/\d+ bytes is more than the 2097152 allowed/);
  });

  it('a YAML alias bomb (billion laughs) is refused with its file, not expanded', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
    const dir = await configWith('catalogue/directives/bomb.yaml', `${bomb}\n`);
    const text = await failure(dir);
    expect(text).toContain('catalogue/directives/bomb.yaml');
    expect(text).toMatch(/alias/i);
  });
});
