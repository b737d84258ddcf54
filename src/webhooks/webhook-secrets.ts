import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SecretBox } from './secret-box.js';
import { loadWebhookSecretKey } from './webhook-secret-key.js';

/** Seals and opens endpoint signing secrets under WEBHOOK_SECRET_KEY; each sealed secret is bound to its endpoint. */
@Injectable()
export class WebhookSecrets {
  private readonly box: SecretBox;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.box = new SecretBox(loadWebhookSecretKey(config));
  }

  seal(secret: string, endpointId: string): string {
    return this.box.seal(secret, endpointId);
  }

  open(sealed: string, endpointId: string): string {
    return this.box.open(sealed, endpointId);
  }
}
