import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SealedBox } from '../common/crypto/sealed-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import { loadWebhookSecretKey } from './webhook-secret-key.js';

/** The stored form's version prefix, so a later format (or key) can be told apart from this one. */
const FORMAT = 'v1.';

/** Seals and opens endpoint signing secrets under WEBHOOK_SECRET_KEY; each sealed secret is bound to its endpoint. */
@Injectable()
export class WebhookSecrets {
  private readonly box: SealedBox;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.box = new SealedBox(loadWebhookSecretKey(config), 'webhook-endpoint-secrets');
  }

  seal(secret: string, endpointId: string): string {
    return `${FORMAT}${this.box.seal(secret, endpointId)}`;
  }

  open(sealed: string, endpointId: string): string {
    if (!sealed.startsWith(FORMAT)) throw new Error('unknown sealed secret format');
    return this.box.open(sealed.slice(FORMAT.length), endpointId);
  }
}
