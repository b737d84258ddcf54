import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { parseMessage, ParsedMessage } from './mime.js';

export interface ReceivedMail extends ParsedMessage {
  /** The envelope's RCPT TO addresses. */
  recipients: string[];
}

export interface SmtpSinkOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Called for each complete message before it is accepted; a string rejects it with that reply
   * (e.g. "451 try again later": a temporary failure the sender should retry).
   */
  reject?: (message: ParsedMessage, attemptOfThisMessageId: number) => string | undefined;
  /** Holds each reply to DATA this long (a slow server, for shutdown tests). */
  replyDelayMs?: number;
  /** Holds each reply to DATA until this is true (checked every few ms), e.g. until several senders are in flight. */
  holdRepliesUntil?: (sink: SmtpSink) => boolean;
  /** Starts answering every connection with 421 (down for maintenance) until `refusing` is set false. */
  refusing?: boolean;
  /** Called for each AUTH; a string refuses the login with that reply (e.g. "535 5.7.8 bad credentials"). */
  login?: (username: string, password: string) => string | undefined;
}

/** "451 text" as smtp-server's error: the reply code, then the text. */
function smtpError(reply: string): Error {
  const error = new Error(reply.replace(/^\d{3}\s*/, '')) as Error & { responseCode: number };
  error.responseCode = Number(reply.slice(0, 3)) || 451;
  return error;
}

/**
 * A real SMTP server on 127.0.0.1 for tests: it speaks the protocol with the app's nodemailer
 * transport and keeps every accepted message (parsed). Plain text, no TLS, any or no login.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Every DATA received, accepted or rejected, by Message-ID. */
  readonly attemptsByMessageId = new Map<string, number>();
  /** Messages whose DATA has started arriving (accepted, rejected or still in progress). */
  dataStarted = 0;
  /** The MAIL FROM of every DATA that has started arriving. */
  readonly dataStartedFrom: string[] = [];
  /** While true, every connection is greeted with 421 and closed: the server is there, its service is not. */
  refusing: boolean;

  private readonly server: SMTPServer;
  private listeningPort = 0;
  private closing = false;

  private constructor(private readonly options: SmtpSinkOptions) {
    this.refusing = options.refusing ?? false;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1000,
      onConnect: (_session, callback) => {
        if (!this.refusing) return callback();
        callback(smtpError('421 4.3.2 service not available, try again later'));
      },
      // Plain-text AUTH on loopback, so the app's credentials reach the test's `login`.
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        const refusal = this.options.login?.(auth.username ?? '', auth.password ?? '');
        if (!refusal) return callback(null, { user: auth.username });
        callback(smtpError(refusal));
      },
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    });
  }

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options);
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    sink.listeningPort = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  get port(): number {
    return this.listeningPort;
  }

  private receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): void {
    const chunks: Buffer[] = [];
    this.dataStarted += 1;
    this.dataStartedFrom.push(session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const finish = () => {
        const parsed = parseMessage(Buffer.concat(chunks).toString('utf8'));
        const attempt = (this.attemptsByMessageId.get(parsed.messageId) ?? 0) + 1;
        this.attemptsByMessageId.set(parsed.messageId, attempt);
        const rejection = this.options.reject?.(parsed, attempt);
        if (rejection) return callback(smtpError(rejection));
        this.messages.push({ ...parsed, recipients: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      };
      const hold = this.options.holdRepliesUntil;
      const release = () => (hold && !this.closing && !hold(this) ? setTimeout(release, 10) : finish());
      if (this.options.replyDelayMs) setTimeout(release, this.options.replyDelayMs);
      else release();
    });
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages with this Message-ID accepted so far. */
  withMessageId(messageId: string): ReceivedMail[] {
    return this.messages.filter((m) => m.messageId === messageId);
  }

  /** Resolves once `count` messages have been accepted; fails after `timeoutMs`. */
  async waitForMessages(count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} messages, got ${this.messages.length} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.messages;
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
