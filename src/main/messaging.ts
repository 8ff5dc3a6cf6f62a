import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createOutboxChannel } from '../adapters/email/outbox-channel.js';
import { createSmtpChannel } from '../adapters/email/smtp-channel.js';
import { redactUrl } from '../adapters/log/pino-logger.js';
import type { ComposeMessage } from '../app/deliver.js';
import { renderReminder } from '../app/messages/render-reminder.js';
import { loadReminderTemplates, TemplateError } from '../app/messages/templates.js';
import type { Channel, Logger } from '../app/ports.js';
import { describeRule } from '../domain/describe.js';
import { reminderIcs } from '../domain/ics.js';
import { localDateOf } from '../domain/instant.js';
import { buildReminderMessage } from '../domain/reminder-message.js';
import { CommandFailed } from './cli-kit.js';
import { defaultConfigDir, type Loaded } from './context.js';
import type { Environment } from './environment.js';

export const REMINDER_TEMPLATE = 'templates/reminder.yaml';

/** The message composer: checked templates + Vietnamese view model + .ics. Bad templates stop the start. */
export async function createComposer(env: Environment, loaded: Loaded): Promise<ComposeMessage> {
  const dir = resolve(env.HANCHOT_CONFIG_DIR ?? defaultConfigDir());
  let templates;
  try {
    templates = loadReminderTemplates({ path: REMINDER_TEMPLATE, text: await readFile(join(dir, REMINDER_TEMPLATE), 'utf8') });
  } catch (e) {
    if (e instanceof TemplateError) throw new CommandFailed(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CommandFailed(`thiếu mẫu thư ${join(dir, REMINDER_TEMPLATE)}`);
    throw e;
  }
  const rules = loaded.catalogue.calendarRules;
  const anchorName = (id: string) => rules.namedDays.find((n) => n.id === id)?.name ?? rules.holidays.find((h) => h.id === id)?.name ?? id;
  const publicUrl = env.PUBLIC_URL;
  const uidDomain = new URL(publicUrl).hostname || 'hanchot.local';
  const calendar = loaded.calendar;
  return ({ messageKey, recipient, items, now }) => {
    const first = items[0];
    if (!first) throw new Error('a message needs at least one item');
    const message = buildReminderMessage({
      today: localDateOf(now, calendar.zone),
      recipientName: recipient.name,
      unitName: first.unitName,
      calendar,
      items: items.map((d) => ({
        obligationId: d.obligationId,
        occurrenceKey: d.occurrenceKey,
        directiveNumber: d.directiveNumber,
        directiveTitle: d.directiveTitle,
        title: d.title,
        ruleWords: describeRule(d.rule, anchorName),
        nominalDue: d.nominalDue,
        effectiveDue: d.effectiveDue,
        step: d.step,
      })),
    });
    const calendarIcs = reminderIcs(message, { dtstamp: now, uidDomain, fallbackUrl: publicUrl });
    return renderReminder(message, templates, { messageKey, recipient, publicUrl, calendarIcs });
  };
}

/** Email through SMTP_URL, or .eml files under the data folder when it is unset. */
export async function createChannels(env: Environment, logger: Logger): Promise<Channel[]> {
  if (env.SMTP_URL) {
    logger.info({ smtp: redactUrl(env.SMTP_URL) }, 'email through SMTP');
    return [createSmtpChannel({ url: env.SMTP_URL, from: env.MAIL_FROM, pool: true, logger })];
  }
  const dir = resolve(env.HANCHOT_DATA_DIR, 'outbox');
  logger.info({ outbox: dir }, 'SMTP_URL is not set: each message is written as an .eml file');
  return [await createOutboxChannel({ dir, from: env.MAIL_FROM, logger })];
}
