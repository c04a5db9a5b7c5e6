import type { LineBuffer } from "./line-buffer";

/** Strings up to this length are checked and copied by one loop; longer ones by a regular expression and the encoder. */
const SHORT_STRING = 64;

/**
 * What JSON must escape, plus the surrogate range so JSON.stringify can escape lone halves
 * (it does since Node 12), plus U+0085, U+2028 and U+2029: JSON allows them raw, but
 * Python's str.splitlines() and many editors end a line there, and a line must stay one line.
 */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u0085\u2028\u2029\ud800-\udfff]/;
const UNICODE_LINE_ENDS = /[\u0085\u2028\u2029]/g;

/**
 * `s` as a JSON string literal that keeps a log line one line: what JSON
 * requires escaped, lone surrogates, and the Unicode line ends.
 *
 * @example
 * quote("a\u2028b"); // '"a\\u2028b"'
 */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).replace(UNICODE_LINE_ENDS, escapeCodeUnit) : '"' + s + '"';
}

/**
 * {@link quote}, written as UTF-8 into `out`. The common short ASCII string
 * is checked and copied in one loop; one that needs escaping goes through
 * JSON.stringify.
 *
 * @example
 * writeJsonString(out, "hi"); // out gains "hi", quotes included
 */
export function writeJsonString(out: LineBuffer, s: string): void {
  const n = s.length;
  if (n <= SHORT_STRING) {
    out.ensure(n + 2);
    const buf = out.buf;
    let p = out.pos;
    buf[p++] = 34;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) break;
      buf[p++] = c;
    }
    if (i === n) {
      buf[p++] = 34;
      out.pos = p;
      return;
    }
  } else if (!NEEDS_ESCAPE.test(s)) {
    out.byte(34);
    out.text(s);
    out.byte(34);
    return;
  }
  out.text(quote(s));
}

function escapeCodeUnit(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}
