import { fileURLToPath } from 'node:url';
import { readConfigDir } from '../../src/adapters/files/config-dir.js';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { buildCalendar, type Catalogue } from '../../src/app/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/app/catalogue/load-catalogue.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';

export const CONFIG_DIR = fileURLToPath(new URL('../../config', import.meta.url));

/** The catalogue and calendar exactly as shipped in config/, through the real loader. */
export async function shippedConfig(): Promise<{ catalogue: Catalogue; calendar: WorkingCalendar }> {
  const loaded = loadCatalogue(await readConfigDir(CONFIG_DIR));
  if (!loaded.ok) throw new Error(`shipped config is invalid:\n${loaded.issues.map((i) => JSON.stringify(i)).join('\n')}`);
  return { catalogue: loaded.catalogue, calendar: buildCalendar(loaded.catalogue, dateHolidaysLunar()) };
}
