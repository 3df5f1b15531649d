import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/server.ts';

function rawBody(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request(url, { method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
}

describe('status fault', () => {
  it('sends a Buffer body byte for byte, so a test can serve invalid UTF-8', async () => {
    const server = await startServer((_req, res) => res.end('normal'));
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]);
    server.faults.push({ kind: 'status', status: 200, body: bytes });
    try {
      expect(await rawBody(server.url)).toEqual(bytes);
      expect((await rawBody(server.url)).toString()).toBe('normal');
    } finally {
      await server.close();
    }
  });
});
