// E-mail alerts over SMTP (nodemailer). The SMTP URL (smtp://user:pass@host:587 or smtps://...:465) is the
// channel's sealed secret; recipients and sender are plain settings.
import { createTransport } from 'nodemailer';
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
  timeoutMs: number,
): Promise<void> {
  const transport = createTransport({
    url: smtpUrl,
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
