import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { PermanentError, RetryableError } from '../../app/errors.js';
import type { Channel, Logger, OutgoingMessage, SendResult } from '../../app/ports.js';
import { domainOf, hasEmail, toMailOptions } from './smtp-channel.js';

export interface OutboxChannelOptions {
  /** Folder for the .eml files (./data/outbox); created if missing. */
  readonly dir: string;
  readonly from: string;
  readonly logger?: Logger;
}

/**
 * The email channel of the demo, used when SMTP_URL is unset: each message is written as a
 * complete .eml file (the same MIME the SMTP channel would send) that any mail client opens.
 */
export function createOutboxChannel(options: OutboxChannelOptions): Channel {
  const dir = resolve(options.dir);
  const domain = domainOf(options.from);
  // streamTransport with buffer: nodemailer builds the MIME message and hands it back instead of sending it.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let ready: Promise<unknown> | undefined;

  return {
    name: 'email',
    canReach: hasEmail,
    async send(message: OutgoingMessage): Promise<SendResult> {
      if (!hasEmail(message.recipient)) throw new PermanentError('người nhận không có địa chỉ email', 'no_email');
      const info = await transport.sendMail(toMailOptions(message, options.from, domain));
      const file = join(dir, outboxFileName(message.messageKey));
      try {
        ready ??= mkdir(dir, { recursive: true });
        await ready;
        // Write then rename, so a reader watching the folder never opens a half-written file.
        const partial = `${file}.partial`;
        await writeFile(partial, info.message as Buffer);
        await rename(partial, file);
      } catch (e) {
        ready = undefined;
        throw new RetryableError(`không ghi được thư vào ${file}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code ?? 'outbox_write', { cause: e });
      }
      options.logger?.info({ channel: 'email', messageKey: message.messageKey, file }, 'email written to the outbox (SMTP_URL is not set)');
      return { providerId: file };
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}

/**
 * A file name from the message key: the same key always gives the same file (a re-send
 * overwrites it), readable where the key is plain, and a hash keeps keys that differ only
 * in unsafe characters apart.
 */
export function outboxFileName(messageKey: string): string {
  const readable = messageKey
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 80);
  const digest = createHash('sha256').update(messageKey, 'utf8').digest('hex').slice(0, 12);
  return `${readable || 'message'}-${digest}.eml`;
}
