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

export type ChannelName = 'email' | 'zalo';

/** Structured logging, as pino offers it; adapters and use cases log through this. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}
