import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';

/** The layout, its stylesheet and the problem page, shared by every HTML surface. */
const SHARED_TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

/** What every page's layout needs; the rest of a view is the template's own. */
export interface PageView {
  title: string;
  /** `wide` for tables (the mail viewer); pages meant to be read stay narrow. */
  width?: 'narrow' | 'wide';
  [name: string]: unknown;
}

function compile(file: string): Handlebars.TemplateDelegate {
  // Strict: a template naming a value its view lacks fails loudly instead of rendering a blank.
  return Handlebars.compile(fs.readFileSync(file, 'utf8'), { strict: true });
}

function templatesIn(dir: string): Map<string, Handlebars.TemplateDelegate> {
  return new Map(
    fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.hbs') && name !== 'layout.hbs')
      .map((name) => [path.basename(name, '.hbs'), compile(path.join(dir, name))]),
  );
}

/**
 * Server-rendered HTML pages of one feature (the accept page, the mail viewer): handlebars
 * templates (`{{ }}` escapes everything) inside one layout, and the headers every such page
 * carries. Pages run no script at all, so the Content-Security-Policy allows none: its only
 * allowance is the layout's own inline stylesheet, by hash.
 */
export class HtmlSurface {
  private readonly layout = compile(path.join(SHARED_TEMPLATES, 'layout.hbs'));
  private readonly css = fs.readFileSync(path.join(SHARED_TEMPLATES, 'page.css'), 'utf8');
  private readonly templates: Map<string, Handlebars.TemplateDelegate>;
  /** The policy header, built once. */
  readonly contentSecurityPolicy: string;

  /**
   * @param templatesDir the feature's own `*.hbs` (besides the shared `problem`)
   * @param directives CSP directives added to, or replacing, the strict defaults
   */
  constructor(templatesDir: URL, directives: Record<string, string> = {}) {
    this.templates = new Map([...templatesIn(SHARED_TEMPLATES), ...templatesIn(fileURLToPath(templatesDir))]);
    const styleHash = `'sha256-${createHash('sha256').update(this.css).digest('base64')}'`;
    const policy: Record<string, string> = {
      'default-src': "'none'",
      'style-src': styleHash,
      'img-src': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      ...directives,
    };
    this.contentSecurityPolicy = Object.entries(policy)
      .map(([name, value]) => `${name} ${value}`)
      .join('; ');
  }

  render(template: string, view: PageView): string {
    const body = this.templates.get(template);
    if (!body) throw new Error(`no template ${template}.hbs`);
    return this.layout({ title: view.title, width: view.width ?? 'narrow', css: this.css, body: body(view) });
  }

  /**
   * Sends a page. Every page may show a secret (an invitation's token in its forms, a new API key),
   * so none is cached, none tells another site where it came from, and none sets a cookie.
   */
  send(
    reply: FastifyReply,
    status: number,
    template: string,
    view: PageView,
    headers: Record<string, string> = {},
  ): void {
    reply
      .status(status)
      .headers({
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': this.contentSecurityPolicy,
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      })
      .send(this.render(template, view));
  }
}
