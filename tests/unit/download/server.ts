import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from '../support/local-server';

export interface TestFile {
  bytes: Buffer;
  sha256: string;
}

export function makeFile(size: number): TestFile {
  // A real ONNX file starts with 0x08 (ir_version varint); keep the fixture honest about that.
  const bytes = randomBytes(size);
  bytes[0] = 0x08;
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

/** A real HTTP server on 127.0.0.1 (random port) with one handler per path; counts hits per path. */
export class FaultServer {
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, Handler>();
  private server!: LocalServer;
  base = '';

  route(path: string, handler: Handler): this {
    this.routes.set(path, handler);
    return this;
  }

  hitCount(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  async start(): Promise<this> {
    this.server = await startLocalServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const n = (this.hits.get(path) ?? 0) + 1;
      this.hits.set(path, n);
      const handler = this.routes.get(path);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      handler(req, res, n);
    });
    this.base = this.server.base;
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

export const serveFile =
  (file: TestFile): Handler =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  };

/** Announces the full length, sends a part, then drops the connection. */
export const serveTruncated =
  (file: TestFile, sent: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) });
    res.write(file.bytes.subarray(0, sent), () => setTimeout(() => res.socket?.destroy(), 10));
  };

/** Sends the file in chunks with a pause between them. */
export const serveSlowly =
  (file: TestFile, chunk: number, pauseMs: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) });
    let offset = 0;
    const next = () => {
      if (offset >= file.bytes.length) return void res.end();
      res.write(file.bytes.subarray(offset, offset + chunk));
      offset += chunk;
      setTimeout(next, pauseMs);
    };
    next();
  };
