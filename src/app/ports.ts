import type { DateTime } from 'luxon';

/** The only way use cases learn the time: tests and `preview` pass a fixed or shifted clock. */
export interface Clock {
  now(): DateTime;
}

/** A person to write to, as a channel needs them. */
export interface Recipient {
  readonly contactId: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly zaloUserId?: string;
  readonly channels?: readonly ChannelName[] | null;
}

export interface Attachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: string;
}

/** One rendered message for one recipient (a morning digest may list several items). */
export interface OutgoingMessage {
  /** Stable for the message: the SMTP Message-ID / Zalo tracking id derive from it. */
  readonly messageKey: string;
  readonly recipient: Recipient;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly Attachment[];
  /** What the Zalo channels send: a ZNS template's parameters and an OA text. */
  readonly zalo?: ZaloContent;
}

export type ZaloMessageKind = 'reminder' | 'due_today' | 'overdue' | 'escalation';

export interface ZaloContent {
  readonly kind: ZaloMessageKind;
  /** ZNS template_data: parameter name → value, NFC, each within its declared length. */
  readonly params: Readonly<Record<string, string>>;
  /** OA consultation text, NFC, at most 2,000 code points. */
  readonly text: string;
}

export interface SendResult {
  /** The provider's id of the message (SMTP Message-ID, Zalo msg_id, outbox file path). */
  readonly providerId: string;
}

/**
 * A way to reach people (email, Zalo). `send` resolves once the provider accepted the
 * message, or throws RetryableError / PermanentError / DeferredError (src/app/errors.ts).
 */
export interface Channel {
  readonly name: ChannelName;
  /** Whether this channel can reach the recipient at all (has an address for it). */
  canReach(recipient: Recipient): boolean;
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/** Zalo ZNS template by phone, Zalo OA message by user id, email. */
export type ChannelName = 'zalo_zns' | 'zalo_oa' | 'email';
export const CHANNEL_NAMES: readonly ChannelName[] = ['zalo_zns', 'zalo_oa', 'email'];

/**
 * A contact's channels in order: the first that is configured and can reach them is used, and a
 * permanent failure falls back to the next. Unset: Zalo ZNS when a phone is known, then email.
 */
export function channelPreference(recipient: Pick<Recipient, 'phone'> & { channels?: readonly ChannelName[] | null }): readonly ChannelName[] {
  if (recipient.channels && recipient.channels.length > 0) return recipient.channels;
  return recipient.phone ? ['zalo_zns', 'email'] : ['email'];
}

/** Structured logging, as pino offers it; adapters and use cases log through this. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** What the service reports about itself (Prometheus); every method is optional to call. */
export interface Metrics {
  /** A reminder or notice went out: seconds between its intended instant and the provider accepting it. */
  firingLag(seconds: number, channel: ChannelName): void;
  /** One planner run: its duration and how many timers it holds within the horizon. */
  plannerRun(seconds: number, planned: number): void;
}
