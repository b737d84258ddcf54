import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { InvitationTokens } from '../src/invitations/invitation-token.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { createWorld, World } from './support/fixtures.js';
import { parseMessage } from './support/mime.js';
import { outboxState, queueInvitationEmail } from './support/outbox-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

describe('mail without SMTP_URL: .eml files under DATA_DIR/mail', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ SMTP_URL: '' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('writes each message as a complete .eml file, logs its path and records the email as sent', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      customMessage: 'See you <soon> & welcome',
    });

    expect(await t.app.get(OutboxWorker).drain()).toBe(1);

    const dir = path.join(t.config.dataDir, 'mail');
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^\\d{8}T\\d{6}Z-${queued.invitationId}\\.v1\\.eml$`));
    const file = path.join(dir, files[0]);

    const mail = parseMessage(fs.readFileSync(file, 'utf8'));
    expect(mail.messageId).toBe(queued.messageId);
    expect(mail.subject).toBe(`${w.owner.email} invited you to join Acme`);
    expect(mail.to).toBe(queued.email);
    expect(mail.text).toContain(t.app.get(InvitationTokens).link(queued.invitationId, 1));
    expect(mail.text).toContain('See you <soon> & welcome');
    expect(mail.html).toContain('See you &lt;soon&gt; &amp; welcome');

    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ msg: `email written to ${file}`, path: file }),
    );
    expect(await outboxState(t.dataSource, queued.outboxId)).toMatchObject({
      status: 'sent',
      email_status: 'sent',
      attempts: 1,
    });
  });

  it('does nothing on its own while MAIL_WORKER_ENABLED is false (the test default): drain() is the only trigger', async () => {
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
    });
    await new Promise((r) => setTimeout(r, 300));

    expect(await outboxState(t.dataSource, queued.outboxId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await t.app.get(OutboxWorker).drain()).toBe(1);
    expect(await outboxState(t.dataSource, queued.outboxId)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
