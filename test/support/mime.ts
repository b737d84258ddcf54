/**
 * Just enough of RFC 5322 / MIME to read what nodemailer sends (headers with RFC 2047 words,
 * multipart bodies, quoted-printable and base64 parts, UTF-8), so tests can assert on the subject,
 * both parts and the link without a mail-parsing dependency.
 */
export interface ParsedMessage {
  raw: string;
  /** Header names in order of appearance, lowercased (to check that no extra header slipped in). */
  headerNames: string[];
  /** Decoded header values by lowercased name (the first occurrence). */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  from: string;
  to: string;
  text: string | undefined;
  html: string | undefined;
}

interface Part {
  headers: Record<string, string>;
  headerNames: string[];
  body: string;
}

function splitPart(raw: string): Part {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end + 4);
  const headers: Record<string, string> = {};
  const headerNames: string[] = [];
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headerNames.push(name);
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return { headers, headerNames, body };
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const unwrapped = text.replace(/=\r\n/g, '');
  for (let i = 0; i < unwrapped.length; i++) {
    const hex = unwrapped.slice(i + 1, i + 3);
    if (unwrapped[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(unwrapped[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); whitespace between two of them is dropped. */
export function decodeHeaderValue(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function param(headerValue: string | undefined, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(headerValue ?? '');
  return match?.[1];
}

/** The decoded text, with the wire's CRLF line ends as LF (as mail clients show it). */
function decodeBody(part: Part): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text = part.body;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(part.body).toString('utf8');
  else if (encoding === 'base64')
    text = Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return text.replace(/\r\n/g, '\n');
}

function collectLeaves(part: Part, into: { text?: string; html?: string }): void {
  const type = (part.headers['content-type'] ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(part.headers['content-type'], 'boundary');
    if (!boundary) throw new Error('multipart without a boundary');
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      collectLeaves(splitPart(section.replace(/^\r\n/, '').replace(/\r\n$/, '')), into);
    }
  } else if (type.startsWith('text/html')) {
    into.html ??= decodeBody(part);
  } else if (type.startsWith('text/plain')) {
    into.text ??= decodeBody(part);
  }
}

export function parseMessage(raw: string): ParsedMessage {
  const top = splitPart(raw);
  const headers = Object.fromEntries(Object.entries(top.headers).map(([k, v]) => [k, decodeHeaderValue(v)]));
  const leaves: { text?: string; html?: string } = {};
  collectLeaves(top, leaves);
  return {
    raw,
    headerNames: top.headerNames,
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    from: headers.from ?? '',
    to: headers.to ?? '',
    text: leaves.text,
    html: leaves.html,
  };
}
