import { open } from "node:fs/promises";
import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** Consecutive lines of one source; `first` is the line number of `texts[0]`. */
export interface LineBatch {
  readonly first: number;
  readonly texts: string[];
  /** True when the last text is the source's end without a newline. */
  readonly unterminated: boolean;
}

/**
 * A line longer than this is dropped as it is read, so a file of binary
 * garbage without newlines cannot grow the buffer without bound.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Calls back about a line too long to keep, by its line number. */
export type LongLineHandler = (line: number) => void;

/**
 * Splits a byte stream into lines, a chunk at a time: each chunk is decoded
 * once up to its last newline (a newline byte never falls inside a UTF-8
 * sequence) and split, which keeps a 1 GB file at the speed of JSON.parse.
 *
 * @example
 * for await (const batch of splitLines(await openSource("app.log"), () => {})) console.log(batch.texts.length);
 */
export async function* splitLines(stream: AsyncIterable<Buffer>, onLong: LongLineHandler): AsyncGenerator<LineBatch> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let skipping = false;
  let line = 1;
  for await (const chunk of stream) {
    let start = 0;
    if (skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) continue;
      skipping = false;
      line++;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last < start) {
      carry.push(chunk.subarray(start));
      carryBytes += chunk.length - start;
      if (carryBytes > MAX_LINE_BYTES) {
        onLong(line);
        skipping = true;
        carry = [];
        carryBytes = 0;
      }
      continue;
    }
    const head = chunk.subarray(start, last);
    const text = carryBytes > 0 ? Buffer.concat([...carry, head]).toString("utf8") : head.toString("utf8");
    const texts = text.split("\n");
    yield { first: line, texts, unterminated: false };
    line += texts.length;
    carry = [chunk.subarray(last + 1)];
    carryBytes = carry[0]!.length;
  }
  if (carryBytes > 0 && !skipping) yield { first: line, texts: [Buffer.concat(carry).toString("utf8")], unterminated: true };
}

/**
 * The bytes of a file, decompressed when it is gzip (by its magic bytes, so a
 * rotated `app.log.1.gz` and a renamed one both read), or of standard input
 * for `-`. The magic bytes are taken from the stream itself, not read at an
 * offset, so a named pipe (`<(zcat app.log.gz)`) and piped input read too.
 *
 * @example
 * const stream = await openSource("app.log.1.gz");
 */
export async function openSource(path: string): Promise<AsyncIterable<Buffer>> {
  // Opened here, so that a missing file fails now; read errors (a directory) come with the first chunk.
  const raw = path === "-" ? process.stdin : (await open(path, "r")).createReadStream({ highWaterMark: 1 << 20 });
  return gunzipped(raw);
}

async function* gunzipped(raw: Readable): AsyncGenerator<Buffer> {
  const chunks: AsyncIterator<Buffer> = raw[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done === true) break;
    head = Buffer.concat([head, next.value]);
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
  }
  // pipeline, not pipe: a read error of the source reaches the reader of the gunzip stream.
  yield* head[0] === 0x1f && head[1] === 0x8b ? pipeline(all(), createGunzip(), () => {}) : all();
}
