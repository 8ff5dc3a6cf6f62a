import Mustache from 'mustache';
import type { ReminderMessage } from '../../domain/reminder-message.js';
import type { OutgoingMessage, Recipient } from '../ports.js';
import type { ReminderTemplateItem, ReminderTemplates, ReminderTemplateView } from './templates.js';

export const ICS_FILENAME = 'han-chot.ics';
export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';

export interface RenderReminderOptions {
  /** Stable key of this message (the delivery's idempotency key): Message-ID derives from it. */
  readonly messageKey: string;
  readonly recipient: Recipient;
  /** Base of links in messages (PUBLIC_URL): used for items without an action link. */
  readonly publicUrl: string;
  /** The deadlines as iCalendar text (src/domain/ics.ts), attached as han-chot.ics. */
  readonly calendarIcs: string;
}

/** A reminder digest, through the checked templates, as one email-ready message. */
export function renderReminder(message: ReminderMessage, templates: ReminderTemplates, options: RenderReminderOptions): OutgoingMessage {
  const view = templateView(message, options.publicUrl);
  // No partials are passed: the loader already refuses {{> }} tags.
  const text = Mustache.render(templates.text, view, {}, { escape: plainText });
  const html = Mustache.render(templates.html, view, {}, { escape: escapeHtml });
  return {
    messageKey: options.messageKey,
    recipient: options.recipient,
    subject: message.subject,
    text: normaliseText(text),
    html: html.normalize('NFC'),
    attachments: [{ filename: ICS_FILENAME, contentType: ICS_CONTENT_TYPE, content: options.calendarIcs }],
  };
}

export function templateView(message: ReminderMessage, publicUrl: string): ReminderTemplateView {
  const fallback = safeUrl(publicUrl) ?? '';
  const items = message.items.map(
    (item, i): ReminderTemplateItem => ({
      position: i + 1,
      directiveNumber: item.directiveNumber,
      ...(item.directiveTitle ? { directiveTitle: item.directiveTitle } : {}),
      title: item.title,
      ...(item.clause ? { clause: item.clause } : {}),
      ruleWords: item.ruleWords,
      dueText: item.dueText,
      timeLeftText: item.timeLeftText,
      ...(item.rolledNote ? { rolledNote: item.rolledNote } : {}),
      link: safeUrl(item.actionUrl) ?? fallback,
      ackLink: safeUrl(item.ackUrl) ?? fallback,
      overdue: item.status === 'overdue',
      dueToday: item.status === 'due_today',
    }),
  );
  return {
    recipientName: message.recipientName,
    unitName: message.unitName,
    todayText: message.todayText,
    itemCount: items.length,
    manyItems: items.length > 1,
    overviewUrl: safeUrl(message.links.overviewUrl) ?? fallback,
    items,
  };
}

/**
 * Only http(s) links reach a template: HTML escaping keeps a value inside its attribute,
 * but a `javascript:` URL would still run when clicked.
 */
function safeUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

/** The plain-text part is not HTML: values go in as they are. */
const plainText = (value: unknown): string => String(value);

/**
 * Enough for text and double- or single-quoted attributes (templates always quote). Unlike
 * mustache's default it leaves "/" and "=" alone, so links stay readable in the HTML source.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Trailing spaces and runs of blank lines left by optional parts are tidied away. */
function normaliseText(text: string): string {
  return `${text
    .normalize('NFC')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
