import { Writable } from 'node:stream';
import type { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { sendCsv } from './csv-response';

/** The raw response sendCsv writes to once it has taken the reply over from Fastify: a writable with a status and headers. */
class FakeResponse extends Writable {
  statusCode = 0;
  /** Set when sendCsv takes the reply over from Fastify (reply.hijack()). */
  hijacked = false;
  readonly headers: Record<string, string> = {};
  readonly written: string[] = [];
  constructor(private readonly failAfter = Infinity) {
    super({ highWaterMark: 1 });
  }
  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.written.length >= this.failAfter) {
      done(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      return;
    }
    this.written.push(chunk.toString());
    done();
  }
}

class FakeLogger {
  readonly errors: string[] = [];
  error(message: string): void {
    this.errors.push(message);
  }
}

async function* gen(
  chunks: string[],
  opts: { failAt?: number; closed?: { value: boolean } } = {},
): AsyncGenerator<string, void, undefined> {
  try {
    for (let i = 0; i < chunks.length; i++) {
      if (i === opts.failAt) throw new Error('database went away');
      yield chunks[i]!;
    }
  } finally {
    if (opts.closed) opts.closed.value = true;
  }
}

const send = (
  res: FakeResponse,
  chunks: AsyncGenerator<string, void, undefined>,
  logger = new FakeLogger(),
) =>
  sendCsv(
    {
      hijack: () => {
        res.hijacked = true;
      },
      raw: res,
    } as unknown as FastifyReply,
    'ledger.csv',
    chunks,
    logger as unknown as Logger,
  );

describe('sendCsv', () => {
  it('takes the reply over from Fastify and sends every chunk in order as a no-store, nosniff CSV attachment', async () => {
    const res = new FakeResponse();
    await send(res, gen(['h\r\n', 'a\r\n', 'b\r\n']));
    expect(res.hijacked).toBe(true);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toEqual({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="ledger.csv"',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(res.written.join('')).toBe('h\r\na\r\nb\r\n');
    expect(res.writableFinished).toBe(true);
  });

  it('sends an empty body when there is no chunk at all', async () => {
    const res = new FakeResponse();
    await send(res, gen([]));
    expect(res.statusCode).toBe(200);
    expect(res.written).toEqual([]);
    expect(res.writableFinished).toBe(true);
  });

  it('leaves the reply to Fastify, with no status and no header, when the first chunk fails, and rejects with its error', async () => {
    const res = new FakeResponse();
    await expect(send(res, gen(['h'], { failAt: 0 }))).rejects.toThrow('database went away');
    expect(res.hijacked).toBe(false);
    expect(res.statusCode).toBe(0);
    expect(res.headers).toEqual({});
  });

  it('cuts the download and logs the reason when a later chunk fails', async () => {
    const res = new FakeResponse();
    const logger = new FakeLogger();
    await send(res, gen(['h\r\n', 'a\r\n', 'b\r\n'], { failAt: 2 }), logger);
    expect(logger.errors).toEqual(['CSV export failed after it started: database went away']);
    expect(res.destroyed).toBe(true);
    expect(res.writableFinished).toBe(false);
  });

  it('logs a thrown non-Error as text', async () => {
    const res = new FakeResponse();
    const logger = new FakeLogger();
    async function* throwsText(): AsyncGenerator<string, void, undefined> {
      yield 'h\r\n';
      throw 'plain text';
    }
    await send(res, throwsText(), logger);
    expect(logger.errors).toEqual(['CSV export failed after it started: plain text']);
  });

  it('stops reading (closing the source) and logs nothing when the client goes away', async () => {
    const res = new FakeResponse();
    const logger = new FakeLogger();
    const closed = { value: false };
    // An endless source: sendCsv returns only if it stops reading when the client is gone.
    async function* endless(): AsyncGenerator<string, void, undefined> {
      try {
        for (let i = 0; ; i++) {
          await new Promise((r) => setImmediate(r));
          if (i === 5) res.destroy();
          yield `row-${i}\r\n`;
        }
      } finally {
        closed.value = true;
      }
    }
    const sending = send(res, endless(), logger);
    await sending;
    expect(logger.errors).toEqual([]);
    expect(closed.value).toBe(true);
  });

  it('reads at most a couple of chunks ahead of a client that is not reading', async () => {
    /** A client that takes one chunk and then nothing until the test lets it read on. */
    class StalledResponse extends FakeResponse {
      private held: (() => void)[] = [];
      override _write(chunk: Buffer, enc: BufferEncoding, done: (err?: Error | null) => void): void {
        this.held.push(() => super._write(chunk, enc, done));
      }
      readOn(): void {
        for (const write of this.held.splice(0)) write();
      }
    }
    const res = new StalledResponse();
    let pulled = 0;
    async function* counted(): AsyncGenerator<string, void, undefined> {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield `row-${i}\r\n`;
      }
    }
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    const sending = send(res, counted());
    await turns(20);
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThanOrEqual(4);
    while (!res.writableFinished) {
      res.readOn();
      await turns(1);
    }
    await sending;
    expect(pulled).toBe(40);
    expect(res.written.join('')).toBe(Array.from({ length: 40 }, (_, i) => `row-${i}\r\n`).join(''));
  });

  it('logs a write failure of the response and closes the source', async () => {
    const res = new FakeResponse(1);
    const logger = new FakeLogger();
    const closed = { value: false };
    await send(res, gen(['h\r\n', 'a\r\n', 'b\r\n', 'c\r\n'], { closed }), logger);
    expect(logger.errors).toEqual(['CSV export failed after it started: socket hang up']);
    expect(closed.value).toBe(true);
    expect(res.destroyed).toBe(true);
  });
});
