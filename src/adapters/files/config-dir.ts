import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../../app/catalogue/yaml-source.js';

/** A YAML file larger than this is refused before it is parsed (a catalogue file is a few kB). */
export const MAX_CONFIG_FILE_BYTES = 2 * 1024 * 1024;

export class ConfigFileTooLarge extends Error {
  constructor(readonly path: string, readonly bytes: number) {
    super(`${path}: ${bytes} bytes is more than the ${MAX_CONFIG_FILE_BYTES} allowed for a configuration file`);
  }
}

/** Every YAML file below `dir`, with its path relative to `dir` (forward slashes). */
export async function readConfigDir(dir: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
        const rel = relative(dir, full).split(sep).join('/');
        const { size } = await stat(full);
        if (size > MAX_CONFIG_FILE_BYTES) throw new ConfigFileTooLarge(rel, size);
        out.push({ path: rel, text: await readFile(full, 'utf8') });
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
