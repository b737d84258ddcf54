import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  path: string;
  /** What the receiver answered (a status), or 'hang'. */
  answer?: number | 'hang';
}

/** How the receiver answers one request: a status, a redirect, or never (hang past the sender's timeout). */
export type Behaviour = { status: number; location?: string; body?: string } | 'hang';

/**
 * A real HTTP receiver on loopback. `behave` decides each answer (by arrival index), so a test can
 * script faults: 500s for a while, hangs, refused connections (`stop`, then `start` again on the same port).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  behave: (index: number, request: ReceivedWebhook) => Behaviour = () => ({ status: 200 });
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(port = this.port): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: ReceivedWebhook = {
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks).toString('utf8'),
          path: req.url ?? '',
        };
        const behaviour = this.behave(this.received.length, request);
        this.received.push({ ...request, answer: behaviour === 'hang' ? 'hang' : behaviour.status });
        if (behaviour === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(behaviour.status, behaviour.location ? { location: behaviour.location } : {});
        res.end(behaviour.body ?? (behaviour.status < 300 ? 'ok' : 'nope'));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening: connections are refused until `start` again. */
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
