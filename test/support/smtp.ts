import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export const SMTP_USER = 'hanchot';
export const SMTP_PASS = 'mật khẩu; có @ và :';

export interface Received {
  readonly raw: Buffer;
  readonly from: string | undefined;
  readonly to: string[];
}

export interface TestSmtp {
  readonly port: number;
  readonly received: Received[];
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (smtp-server). `rcpt` decides each recipient: return an SMTP
 * reply code to refuse it. `port` reuses a port (a server that comes back after an outage).
 */
export async function startSmtp(rcpt: (address: SMTPServerAddress) => number | undefined = () => undefined, port = 0, received: Received[] = []): Promise<TestSmtp> {
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) callback(null, { user: SMTP_USER });
      else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const code = rcpt(address);
      if (code === undefined) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'No such mailbox here' : 'Mailbox busy, try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    received,
    url: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
