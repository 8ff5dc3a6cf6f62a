import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadReminderTemplates, type ReminderTemplates } from '../../app/messages/templates.js';

/** Where the reminder template lives under config/. */
export const REMINDER_TEMPLATE_PATH = 'templates/reminder.yaml';

/**
 * Reads config/templates/reminder.yaml and checks it (throws TemplateError naming the file,
 * line and tag of every problem), so a bad template stops the start rather than a send.
 */
export async function readTemplates(configDir: string): Promise<ReminderTemplates> {
  const text = await readFile(join(configDir, REMINDER_TEMPLATE_PATH), 'utf8');
  return loadReminderTemplates({ path: REMINDER_TEMPLATE_PATH, text });
}
