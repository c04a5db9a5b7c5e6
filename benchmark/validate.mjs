// Checks a log file line by line, so a logger that loses or mangles lines can
// never look fast: every line must be JSON and every reqId 0..expected-1 must
// appear exactly once. Reads in chunks: a 2 KB-record run is ~450 MB, close
// to V8's longest string.
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK_BYTES = 8 * 2 ** 20;
const NEWLINE = 0x0a;

/**
 * Counts the records of `path`.
 * @returns {{ lines: number, invalid: number, other: number, unique: number, duplicates: number, bytes: number, missing: number, ok: boolean }}
 *   `invalid` counts lines that are not JSON or carry a reqId out of range
 *   (a torn last line among them); `other` whole records with no reqId (the
 *   logger's own, such as logxpy's record of the crash that ended the
 *   process); `ok` means exactly the expected records and nothing else.
 */
export function checkRecords(path, expected) {
  const seen = new Uint8Array(expected);
  const counts = { lines: 0, invalid: 0, other: 0, unique: 0, duplicates: 0 };
  const checkLine = (text) => {
    counts.lines++;
    let id;
    try {
      id = JSON.parse(text).reqId;
    } catch {
      counts.invalid++;
      return;
    }
    if (id === undefined) counts.other++;
    else if (!Number.isInteger(id) || id < 0 || id >= expected) counts.invalid++;
    else if (seen[id]) counts.duplicates++;
    else {
      seen[id] = 1;
      counts.unique++;
    }
  };

  let bytes = 0;
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      bytes += read;
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, read)]) : buf.subarray(0, read);
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        checkLine(chunk.toString("utf8", start, nl));
        start = nl + 1;
      }
      // Copied, because `buf` is overwritten by the next read.
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length) checkLine(carry.toString("utf8"));
  } finally {
    closeSync(fd);
  }
  const missing = expected - counts.unique;
  return { ...counts, bytes, missing, ok: counts.lines === expected && counts.invalid === 0 && counts.other === 0 && missing === 0 };
}
