import * as net from 'node:net';

/** Privileged ports of services long retired; none of them runs on a test machine. */
const CANDIDATES = [9, 11, 13, 17, 19, 37, 43, 79, 113, 119];

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * A loopback port where nothing listens, for "the server is down" tests. Not a port that was free a
 * moment ago: an ephemeral port can be handed to another test's server before it is used. Ports below
 * 1024 are never handed out by `listen(0)` and only root can bind them, so one that refuses now keeps
 * refusing.
 */
export async function refusedPort(): Promise<number> {
  for (const port of CANDIDATES) if (await refuses(port)) return port;
  throw new Error(`every candidate port answers: ${CANDIDATES.join(', ')}`);
}
