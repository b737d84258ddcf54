import dns2 from 'dns2';

const { Packet } = dns2;

/**
 * An authoritative DNS server on loopback (dns2, UDP) answering TXT queries from a table the test
 * fills: a name with records answers them; `silent` names get no answer at all (the resolver times
 * out); any other name is NXDOMAIN. Point the app at it with `DNS_SERVERS=<address>`.
 */
export class TestDnsServer {
  readonly txt = new Map<string, string[][]>();
  readonly silent = new Set<string>();
  readonly queries: string[] = [];
  private server: ReturnType<typeof dns2.createServer> | undefined;
  address = '';

  static async start(): Promise<TestDnsServer> {
    const dns = new TestDnsServer();
    dns.server = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const [question] = request.questions;
        const name = question.name.toLowerCase();
        dns.queries.push(name);
        if (dns.silent.has(name)) return;
        const response = Packet.createResponseFromRequest(request);
        const records = question.type === Packet.TYPE.TXT ? dns.txt.get(name) : undefined;
        if (records) {
          for (const chunks of records) {
            const answer = {
              name: question.name,
              type: Packet.TYPE.TXT,
              class: Packet.CLASS.IN,
              ttl: 60,
              data: chunks.length === 1 ? chunks[0] : chunks,
            };
            // dns2 encodes plain resource objects; its type declares the class it builds them into.
            response.answers.push(answer as unknown as (typeof response.answers)[number]);
          }
        } else {
          response.header.rcode = 3; // NXDOMAIN
        }
        void send(response);
      },
    });
    const addresses = await dns.server.listen({ udp: { port: 0, address: '127.0.0.1' } });
    dns.address = `127.0.0.1:${addresses.udp!.port}`;
    return dns;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
