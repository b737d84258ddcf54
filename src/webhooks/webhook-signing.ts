import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one attempt, signed by the `standardwebhooks` package itself (the
 * reference implementation receivers verify with). During a rotation window each secret signs: the
 * signatures are space-separated, and a receiver holding either secret accepts the message.
 */
export function signedHeaders(
  secrets: string[],
  messageId: string,
  body: string,
  at = new Date(),
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}
