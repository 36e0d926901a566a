/** A real node:http server on 127.0.0.1 at a free port, for tests that need an HTTP peer. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** "http://127.0.0.1:<port>" */
  base: string;
  stop(): Promise<void>;
}

export async function startLocalServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LocalServer> {
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
