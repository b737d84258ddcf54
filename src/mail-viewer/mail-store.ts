import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import PostalMime, { decodeWords, type Address, type Mailbox } from 'postal-mime';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** The viewer lists this many of the newest messages; older files stay on disk, unread. */
export const MAIL_LIST_LIMIT = 200;

/** A message's id is its file name without `.eml`: no path separator can be in it. */
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,200}$/;

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  /** The message's Date header, else the file's time. */
  date: Date;
}

export interface MailMessage extends MailSummary {
  from: string;
  headers: { name: string; value: string }[];
  text: string | null;
  html: string | null;
  /** The http(s) links of the text part, in order, once each. */
  links: string[];
}

function addresses(list: Address[] | Address | undefined): string {
  const all = list === undefined ? [] : Array.isArray(list) ? list : [list];
  return all
    .flatMap((entry): Mailbox[] => entry.group ?? [entry])
    .map((box) => (box.name ? `${box.name} <${box.address}>` : box.address))
    .join(', ');
}

/**
 * The `.eml` files the embedded mail transport writes under DATA_DIR/mail (src/mail/eml-file-transport.ts),
 * read back with postal-mime for the development mail viewer.
 */
@Injectable()
export class MailStore {
  readonly dir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = path.join(config.dataDir, 'mail');
  }

  /** The newest messages first (by file time, then name: names start with the time written). */
  async list(): Promise<MailSummary[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.eml'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing sent yet
      throw error;
    }
    const files = await Promise.all(
      names.map(async (name) => ({ name, mtimeMs: (await fs.stat(path.join(this.dir, name))).mtimeMs })),
    );
    files.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
    const newest = files.slice(0, MAIL_LIST_LIMIT).map((file) => path.basename(file.name, '.eml'));
    const messages = await Promise.all(newest.map((id) => this.read(id)));
    return messages.filter((message): message is MailMessage => message !== undefined);
  }

  /** One message by id, or undefined when there is no such file. */
  async read(id: string): Promise<MailMessage | undefined> {
    if (!MESSAGE_ID.test(id)) return undefined;
    const file = path.join(this.dir, `${id}.eml`);
    let raw: Buffer;
    let mtime: Date;
    try {
      [raw, mtime] = await Promise.all([fs.readFile(file), fs.stat(file).then((stat) => stat.mtime)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const email = await PostalMime.parse(raw);
    const date = email.date ? new Date(email.date) : mtime;
    const text = email.text ?? null;
    return {
      id,
      from: addresses(email.from),
      to: addresses(email.to),
      subject: email.subject ?? '(no subject)',
      date: Number.isNaN(date.getTime()) ? mtime : date,
      headers: email.headers.map((header) => ({
        name: header.originalKey,
        value: decodeWords(header.value),
      })),
      text,
      html: email.html ?? null,
      links: [...new Set(text?.match(/https?:\/\/[^\s<>"]+/g) ?? [])],
    };
  }
}
