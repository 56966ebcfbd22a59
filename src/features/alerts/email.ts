// E-mail alerts over SMTP (nodemailer). The SMTP URL (smtp://user:pass@host:587 or smtps://...:465) is the
// channel's sealed secret; recipients and sender are plain settings.
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import { type OutboundPolicy, resolveCheckedAddresses } from '../../lib/pinned-fetch.ts';
import { type AlertEvent, alertText } from './messages.ts';

export interface EmailSettings {
  to: string[];
  from: string;
}

export function alertSubject(event: AlertEvent): string {
  return `[app-server] ${
    alertText(event)
      .replace(/^\S+\s/, '')
      .split(':')[0]
  }`;
}

export async function sendAlertEmail(
  smtpUrl: string,
  settings: EmailSettings,
  event: AlertEvent,
  options: { timeoutMs: number; policy: OutboundPolicy },
): Promise<void> {
  const { timeoutMs } = options;
  // Resolve once and check, then hand nodemailer the checked address itself (it would resolve the name
  // again); the name stays the TLS server name, so certificates are still verified against it.
  const url = new URL(smtpUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const [checked] = await resolveCheckedAddresses(host, options.policy);
  url.hostname = checked!.family === 6 ? `[${checked!.address}]` : checked!.address;
  const transport = createTransport({
    url: url.toString(),
    ...(isIP(host) ? {} : { servername: host }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: alertSubject(event),
      text: `${alertText(event)}\n\n${JSON.stringify(event, null, 2)}\n`,
      headers: { 'X-AppServer-Delivery': event.delivery_id, 'X-AppServer-Event': event.event },
    });
  } finally {
    transport.close();
  }
}
