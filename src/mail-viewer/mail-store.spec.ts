import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/app-config.js';
import { MailStore } from './mail-store.js';

describe('MailStore', () => {
  let dataDir: string;
  let store: MailStore;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-mail-store-'));
    store = new MailStore(parseConfig({ DATA_DIR: dataDir }));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('lists nothing before the mail folder exists', async () => {
    expect(await store.list()).toEqual([]);
  });

  it('reads only files inside the mail folder, whatever the id says', async () => {
    fs.mkdirSync(store.dir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'secret.eml'), 'Subject: outside\r\n\r\nnot for the viewer\r\n');
    fs.writeFileSync(
      path.join(store.dir, 'inside.eml'),
      'Subject: inside\r\n\r\nhello https://example.test/a?b=1 and https://example.test/a?b=1\r\n',
    );
    for (const id of ['../secret', '..', '.', 'a/b', 'a\\b', '', 'inside.eml\u0000']) {
      expect(await store.read(id)).toBeUndefined();
    }
    expect(await store.read('inside')).toMatchObject({
      subject: 'inside',
      links: ['https://example.test/a?b=1'],
    });
  });
});
