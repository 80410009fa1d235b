import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Sends CSV chunks as an attachment with backpressure. The first chunk is awaited before any header
 * goes out, so a failure to start (a bad filter, the database down) still gets a JSON error reply;
 * a failure later can only cut the download short, which the client sees as a broken transfer.
 */
export async function sendCsv(
  reply: FastifyReply,
  filename: string,
  chunks: AsyncGenerator<string, void, undefined>,
  logger: Logger,
): Promise<void> {
  const first = await chunks.next();
  // From here the response is written to the socket directly (with backpressure), not through Fastify's send.
  // The headers set so far (helmet's, in onRequest) are on the raw response already.
  reply.hijack();
  const res = reply.raw;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  async function* all(): AsyncGenerator<string, void, undefined> {
    if (!first.done) yield first.value;
    yield* chunks;
  }
  try {
    // highWaterMark 1: at most one batch waits in the readable; the socket's buffer does the rest.
    await pipeline(Readable.from(all(), { highWaterMark: 1 }), res);
  } catch (err) {
    // The client closing the download early is normal; anything else is worth a line in the log.
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.error(`CSV export failed after it started: ${err instanceof Error ? err.message : String(err)}`);
    }
    // pipeline() has already destroyed the response (or found it closed): the client sees a cut transfer.
    await chunks.return(undefined).catch(() => undefined);
  }
}
