import { AppError } from '../common/errors/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { ipLiteral, isPublicAddress } from './address-policy.js';

/**
 * The checks a URL can pass before any DNS lookup: scheme, no credentials, and no literal or
 * `localhost` address outside the public internet. Host names are checked again at every attempt
 * against what they resolve to (webhook-http.ts).
 */
export function checkWebhookUrl(
  raw: string,
  config: Pick<AppConfig, 'webhookAllowHttp' | 'webhookAllowPrivateNetworks'>,
): string {
  const refuse = (msg: string) => AppError.validation([{ loc: ['body', 'url'], msg, type: 'url_refused' }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('url must be an absolute URL');
  }
  const schemes = config.webhookAllowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    throw refuse(`url must use ${config.webhookAllowHttp ? 'https or http' : 'https'}`);
  if (url.username || url.password) throw refuse('url must not carry credentials');
  if (!config.webhookAllowPrivateNetworks) {
    const literal = ipLiteral(url.hostname);
    const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
    if (local || (literal && !isPublicAddress(literal)))
      throw refuse('url must not point to a private, loopback or reserved address');
  }
  return raw;
}
