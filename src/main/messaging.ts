import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createOutboxChannel } from '../adapters/email/outbox-channel.js';
import { createSmtpChannel } from '../adapters/email/smtp-channel.js';
import { redactUrl } from '../adapters/log/pino-logger.js';
import type { RedisLock } from '../adapters/redis/redis-lock.js';
import { ZaloTokenManager } from '../adapters/zalo/token-manager.js';
import { createOaChannel, createZnsChannel } from '../adapters/zalo/zalo-channel.js';
import { createZaloClient } from '../adapters/zalo/zalo-client.js';
import { DateTime } from 'luxon';
import type { ComposeMessage } from '../app/deliver.js';
import { renderEscalation, renderLeadershipDigest } from '../app/messages/render-follow-up.js';
import type { ClaimedDelivery } from '../app/stores.js';
import { formatVnDateWithWeekday } from '../domain/civil-date.js';
import type { LeadershipDigest } from '../domain/leadership-digest.js';
import { signFeed, signLink, type FeedClaims, type LinkAction } from '../domain/signed-link.js';
import { renderReminder } from '../app/messages/render-reminder.js';
import { loadReminderTemplates, TemplateError } from '../app/messages/templates.js';
import type { Channel, Clock, Logger, ZaloContent, ZaloMessageKind } from '../app/ports.js';
import type { TokenStore } from '../app/stores.js';
import { describeRule } from '../domain/describe.js';
import { reminderIcs } from '../domain/ics.js';
import { localDateOf } from '../domain/instant.js';
import { buildReminderMessage, type ReminderMessage } from '../domain/reminder-message.js';
import { fitOaText, fitZnsParam } from '../domain/zalo-text.js';
import { CommandFailed } from './cli-kit.js';
import { defaultConfigDir, type Loaded } from './context.js';
import type { Environment } from './environment.js';

export const REMINDER_TEMPLATE = 'templates/reminder.yaml';
export const ZALO_TEMPLATE = 'templates/zalo.yaml';

const ZALO_FIELDS = ['recipientName', 'unitName', 'title', 'directive', 'due', 'timeLeft', 'itemCount', 'otherCount'] as const;
const zaloTemplateFile = z.strictObject({
  zns: z.strictObject({
    params: z.record(z.string().regex(/^[A-Za-z0-9_]+$/), z.strictObject({ from: z.enum(ZALO_FIELDS), maxLength: z.number().int().min(1).max(1000) })),
  }),
  oa: z.strictObject({ maxLength: z.number().int().min(1).max(2000) }),
});
type ZaloTemplate = z.infer<typeof zaloTemplateFile>;

async function readConfigFile(dir: string, path: string): Promise<string> {
  try {
    return await readFile(join(dir, path), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CommandFailed(`thiếu mẫu tin ${join(dir, path)}`);
    throw e;
  }
}

function zaloParams(fields: Record<(typeof ZALO_FIELDS)[number], string>, template: ZaloTemplate): Record<string, string> {
  return Object.fromEntries(Object.entries(template.zns.params).map(([name, p]) => [name, fitZnsParam(fields[p.from], p.maxLength)]));
}

/** What a reminder says on Zalo: the ZNS template's parameters and the OA text. */
export function zaloContent(message: ReminderMessage, text: string, template: ZaloTemplate): ZaloContent {
  const first = message.items[0]!;
  const kind: ZaloMessageKind = message.items.some((i) => i.status === 'overdue')
    ? 'overdue'
    : message.items.every((i) => i.status === 'due_today')
      ? 'due_today'
      : 'reminder';
  const others = message.items.length - 1;
  const fields: Record<(typeof ZALO_FIELDS)[number], string> = {
    recipientName: message.recipientName,
    unitName: message.unitName,
    title: first.title,
    directive: first.directiveNumber,
    due: first.dueShort,
    timeLeft: first.timeLeftText,
    itemCount: String(message.items.length),
    otherCount: others > 0 ? `và ${others} nhiệm vụ khác` : '',
  };
  return { kind, params: zaloParams(fields, template), text: fitOaText(text, template.oa.maxLength) };
}

/** The message composer: checked templates + Vietnamese view model + .ics + Zalo content. Bad templates stop the start. */
/** How long a one-click link in a message stays valid. */
export const LINK_LIFETIME_DAYS = 120;

/** A signed one-click link under PUBLIC_URL, valid LINK_LIFETIME_DAYS from `now`. */
export function actionLink(
  publicUrl: string,
  secret: string,
  claims: { action: LinkAction; obligationId: string; occurrenceKey: string; unitId: string; contactId: string; step: string },
  now: DateTime,
): string {
  const token = signLink({ ...pickClaims(claims), expiresAt: Math.floor(now.plus({ days: LINK_LIFETIME_DAYS }).toSeconds()) }, secret);
  return `${publicUrl.replace(/\/+$/, '')}/l/${token}`;
}

const pickClaims = (c: { action: LinkAction; obligationId: string; occurrenceKey: string; unitId: string; contactId: string; step: string }) => ({
  action: c.action,
  obligationId: c.obligationId,
  occurrenceKey: c.occurrenceKey,
  unitId: c.unitId,
  contactId: c.contactId,
  step: c.step,
});

/** The subscription address of a unit's or a contact's calendar feed. */
export function feedUrl(publicUrl: string, secret: string, claims: FeedClaims): string {
  return `${publicUrl.replace(/\/+$/, '')}/ical/${signFeed(claims, secret)}.ics`;
}

export async function createComposer(env: Environment, loaded: Loaded, secret: string): Promise<ComposeMessage> {
  const dir = resolve(env.HANCHOT_CONFIG_DIR ?? defaultConfigDir());
  let templates;
  let zaloTemplate: ZaloTemplate;
  try {
    templates = loadReminderTemplates({ path: REMINDER_TEMPLATE, text: await readConfigFile(dir, REMINDER_TEMPLATE) });
  } catch (e) {
    if (e instanceof TemplateError) throw new CommandFailed(e.message);
    throw e;
  }
  const zaloParsed = zaloTemplateFile.safeParse(parseYaml(await readConfigFile(dir, ZALO_TEMPLATE)));
  if (!zaloParsed.success) {
    throw new CommandFailed(`mẫu tin Zalo ${ZALO_TEMPLATE} không hợp lệ:`, zaloParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  zaloTemplate = zaloParsed.data;
  const rules = loaded.catalogue.calendarRules;
  const anchorName = (id: string) => rules.namedDays.find((n) => n.id === id)?.name ?? rules.holidays.find((h) => h.id === id)?.name ?? id;
  const publicUrl = env.PUBLIC_URL;
  const uidDomain = new URL(publicUrl).hostname || 'hanchot.local';
  const calendar = loaded.calendar;
  const link = (d: ClaimedDelivery, action: LinkAction, contactId: string, now: DateTime) => actionLink(publicUrl, secret, { ...d, action, contactId }, now);
  const localInstant = (iso: string, zone: string) => {
    const t = DateTime.fromISO(iso, { zone });
    return `${formatVnDateWithWeekday(localDateOf(t, zone))} ${t.toFormat('HH:mm')}`;
  };
  return ({ messageKey, recipient, items, now }) => {
    const first = items[0];
    if (!first) throw new Error('a message needs at least one item');
    if (first.purpose === 'escalation' || first.purpose === 'digest') {
      const rendered =
        first.purpose === 'escalation'
          ? renderEscalation({ recipientName: recipient.name, items, zone: calendar.zone, formatInstant: localInstant, doneLink: (d) => link(d, 'done', recipient.contactId, now) })
          : renderLeadershipDigest({ recipientName: recipient.name, digest: first.content as LeadershipDigest });
      return {
        messageKey,
        recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: [],
        zalo: { kind: 'escalation', params: zaloParams(rendered.zalo, zaloTemplate), text: fitOaText(rendered.text, zaloTemplate.oa.maxLength) },
      };
    }
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
        actionUrl: link(d, 'done', recipient.contactId, now),
        ackUrl: link(d, 'ack', recipient.contactId, now),
      })),
    });
    const calendarIcs = reminderIcs(message, { dtstamp: now, uidDomain, fallbackUrl: publicUrl });
    const email = renderReminder(message, templates, { messageKey, recipient, publicUrl, calendarIcs });
    return { ...email, zalo: zaloContent(message, email.text, zaloTemplate) };
  };
}

export interface ChannelDeps {
  readonly store: TokenStore;
  readonly clock: Clock;
  /** Single flight for the Zalo token refresh across processes; without it Zalo stays off. */
  readonly lock?: Pick<RedisLock, 'withLock'>;
  readonly zone: string;
  /** Receives the Zalo token manager when the Zalo channels are on (for the proactive refresh). */
  readonly onZaloTokens?: (tokens: ZaloTokenManager) => void;
}

/** The configured channels, in the order they are tried by default: Zalo ZNS, Zalo OA, email. */
export async function createChannels(env: Environment, logger: Logger, deps?: ChannelDeps): Promise<Channel[]> {
  const channels: Channel[] = [];
  const missing = (['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_REFRESH_TOKEN'] as const).filter((k) => !env[k]);
  if (missing.length > 0) {
    logger.info({ missing }, `Zalo channel off: ${missing.join(', ')} not set; reminders go by email`);
  } else if (!deps?.lock) {
    logger.info({}, 'Zalo channel off in this command (it needs Redis for the single-flight token refresh); reminders go by email');
  } else {
    const client = createZaloClient({
      oaBaseUrl: env.ZALO_OA_BASE_URL,
      znsBaseUrl: env.ZALO_ZNS_BASE_URL,
      oauthBaseUrl: env.ZALO_OAUTH_BASE_URL,
      appId: env.ZALO_APP_ID!,
      appSecret: env.ZALO_APP_SECRET!,
      timeoutMs: env.ZALO_TIMEOUT_MS,
    });
    const tokens = new ZaloTokenManager({
      appId: env.ZALO_APP_ID!,
      initialRefreshToken: env.ZALO_REFRESH_TOKEN!,
      store: deps.store,
      lock: deps.lock,
      refresh: (rt) => client.refreshAccessToken(rt),
      clock: deps.clock,
      logger,
      httpTimeoutMs: env.ZALO_TIMEOUT_MS,
    });
    const options = {
      appId: env.ZALO_APP_ID!,
      client,
      tokens,
      store: deps.store,
      clock: deps.clock,
      zone: deps.zone,
      logger,
      templates: {
        reminder: env.ZALO_ZNS_TEMPLATE_REMINDER,
        due_today: env.ZALO_ZNS_TEMPLATE_DUE_TODAY ?? env.ZALO_ZNS_TEMPLATE_REMINDER,
        overdue: env.ZALO_ZNS_TEMPLATE_OVERDUE,
        escalation: env.ZALO_ZNS_TEMPLATE_ESCALATION,
      },
      development: env.ZALO_ZNS_DEVELOPMENT,
      quotaWarnBelow: env.ZALO_QUOTA_WARN_BELOW,
    };
    channels.push(createZnsChannel(options), createOaChannel(options));
    deps.onZaloTokens?.(tokens);
    logger.info({ zns: redactUrl(env.ZALO_ZNS_BASE_URL), oa: redactUrl(env.ZALO_OA_BASE_URL), templates: Object.keys(options.templates).filter((k) => options.templates[k as ZaloMessageKind]) }, 'Zalo channels on');
  }
  if (env.SMTP_URL) {
    logger.info({ smtp: redactUrl(env.SMTP_URL) }, 'email through SMTP');
    channels.push(createSmtpChannel({ url: env.SMTP_URL, from: env.MAIL_FROM, pool: true, maxConnections: 10, logger }));
  } else {
    const dir = resolve(env.HANCHOT_DATA_DIR, 'outbox');
    logger.info({ outbox: dir }, 'SMTP_URL is not set: each message is written as an .eml file');
    channels.push(createOutboxChannel({ dir, from: env.MAIL_FROM, logger }));
  }
  return channels;
}
