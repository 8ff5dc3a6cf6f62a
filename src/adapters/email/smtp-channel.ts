import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { SendMailOptions, SMTPSentMessageInfo, SMTPTransportOptions, Transporter } from 'nodemailer';
import { PermanentError, RetryableError } from '../../app/errors.js';
import type { Channel, Logger, OutgoingMessage, Recipient, SendResult } from '../../app/ports.js';

export interface SmtpChannelOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465; credentials percent-encoded. */
  readonly url: string;
  /** MAIL_FROM: "Hạn Chót <hanchot@ldld.example.vn>". */
  readonly from: string;
  /** Reuse connections across messages (default true): a morning digest run sends many in a burst. */
  readonly pool?: boolean;
  readonly maxConnections?: number;
  readonly logger?: Logger;
  /** Defaults are short because a delivery job should fail and retry rather than hold its worker for minutes. */
  readonly connectionTimeoutMs?: number;
  readonly greetingTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
  /** Right-hand side of Message-IDs; defaults to the domain of `from`. */
  readonly messageIdDomain?: string;
}

/** Email through nodemailer's SMTP transport. Throws RetryableError / PermanentError as DESIGN §4 says. */
export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  const url = new URL(options.url);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL phải bắt đầu bằng smtp:// hoặc smtps:// (đang là ${url.protocol}//)`);
  }
  const server = `${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ''}`;
  const log = options.logger?.child({ channel: 'email', server });
  const common: SMTPTransportOptions = {
    url: options.url,
    connectionTimeout: options.connectionTimeoutMs ?? 15_000,
    greetingTimeout: options.greetingTimeoutMs ?? 15_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    // Our own log lines say what happened to each message; nodemailer's would repeat them and can carry addresses.
    logger: false,
  };
  const transport: Transporter<SMTPSentMessageInfo> =
    options.pool === false
      ? nodemailer.createTransport(common)
      : nodemailer.createTransport({ ...common, pool: true, maxConnections: options.maxConnections ?? 5 });
  const domain = options.messageIdDomain ?? domainOf(options.from);

  return {
    name: 'email',
    canReach: hasEmail,
    async send(message: OutgoingMessage): Promise<SendResult> {
      if (!hasEmail(message.recipient)) throw new PermanentError('người nhận không có địa chỉ email', 'no_email');
      const mail = toMailOptions(message, options.from, domain);
      try {
        const info = await transport.sendMail(mail);
        log?.debug({ messageKey: message.messageKey, messageId: info.messageId }, 'email accepted by the SMTP server');
        return { providerId: info.messageId || (mail.messageId as string) };
      } catch (e) {
        const err = classifySmtpError(e);
        log?.[err instanceof PermanentError ? 'warn' : 'info']({ messageKey: message.messageKey, code: err.code }, err.message);
        throw err;
      }
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}

export function hasEmail(recipient: Recipient): boolean {
  return typeof recipient.email === 'string' && recipient.email.trim() !== '';
}

/**
 * Message-ID from the message key: a redelivered job produces the same Message-ID, so the
 * receiving side (and anyone reading logs) can tell a re-send from a second reminder.
 */
export function messageIdFor(messageKey: string, domain: string): string {
  const digest = createHash('sha256').update(messageKey, 'utf8').digest('hex').slice(0, 32);
  return `<hanchot.${digest}@${domain}>`;
}

/** The nodemailer message for an OutgoingMessage; shared with the outbox so both write the same MIME. */
export function toMailOptions(message: OutgoingMessage, from: string, domain = domainOf(from)): SendMailOptions {
  return {
    from,
    to: { name: message.recipient.name, address: message.recipient.email ?? '' },
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: messageIdFor(message.messageKey, domain),
    headers: {
      // RFC 3834: an automatic message; auto-responders (vacation replies) should not answer it.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Hanchot-Message-Key': message.messageKey,
    },
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  };
}

export function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return m?.[1] ?? 'hanchot.invalid';
}

/** Socket-level failures: the message never reached a server that could judge it. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKET',
  'EDNS',
  'ECONNECTION',
  'ETLS',
  'EPROXY',
]);

interface NodemailerErrorShape {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

/**
 * nodemailer's errors (dist/esm/errors.d.ts, NodemailerError): `responseCode` is the SMTP
 * reply code when the server answered; `code` is nodemailer's class (ESOCKET, ETIMEDOUT,
 * EENVELOPE, EAUTH…) and `originalCode` keeps the system code (ECONNREFUSED) it replaced.
 *
 * - 5xx except 503 (RFC 5321: permanent) → PermanentError "smtp_550";
 * - any other reply (4xx, 503) → RetryableError "smtp_451";
 * - a credential failure (EAUTH, ENOAUTH) → RetryableError "smtp_auth": it is the operator's
 *   configuration, not this recipient, so the message waits for a fix instead of failing;
 * - an address nodemailer refuses before sending (EENVELOPE without a reply) → PermanentError "invalid_address";
 * - network errors → RetryableError with the system code ("ECONNREFUSED");
 * - anything else → RetryableError.
 */
export function classifySmtpError(e: unknown): RetryableError | PermanentError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as NodemailerErrorShape;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const originalCode = typeof err.originalCode === 'string' ? err.originalCode : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const reply = typeof err.response === 'string' ? err.response : undefined;
  const text = reply ?? (typeof err.message === 'string' ? err.message : String(e));
  const options = { cause: e };

  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return new RetryableError(`máy chủ SMTP từ chối đăng nhập (kiểm tra SMTP_URL): ${text}`, 'smtp_auth', options);
  }
  if (responseCode !== undefined) {
    const smtpCode = `smtp_${responseCode}`;
    if (responseCode >= 500 && responseCode < 600 && responseCode !== 503) {
      return new PermanentError(`máy chủ SMTP từ chối thư: ${text}`, smtpCode, options);
    }
    return new RetryableError(`máy chủ SMTP tạm thời chưa nhận thư: ${text}`, smtpCode, options);
  }
  if (code === 'EENVELOPE') return new PermanentError(`địa chỉ người nhận không hợp lệ: ${text}`, 'invalid_address', options);
  const systemCode = originalCode ?? code;
  if (systemCode !== undefined && NETWORK_CODES.has(systemCode)) {
    return new RetryableError(`không kết nối được máy chủ SMTP (${systemCode}): ${text}`, systemCode, options);
  }
  return new RetryableError(`gửi email lỗi: ${text}`, systemCode ?? 'smtp_error', options);
}

/** Connects, greets and authenticates against the SMTP server without sending (hanchot doctor). */
export async function verifySmtp(url: string, timeoutMs = 5_000): Promise<void> {
  const transport = nodemailer.createTransport({ url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, logger: false } satisfies SMTPTransportOptions);
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
