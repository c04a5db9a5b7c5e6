/**
 * The console destination's human-readable form of a record: time, level or
 * action status, message, then the other fields as key=value, indented by the
 * record's depth in its task. Control characters and ANSI escapes that a
 * record carries are shown escaped, so a logged value can never move the
 * cursor, recolour the terminal or forge a line of its own.
 */

const COLORS = {
  dim: "\x1b[2m",
  reset: "\x1b[0m",
  debug: "\x1b[90m",
  info: "\x1b[36m",
  success: "\x1b[32m",
  note: "\x1b[35m",
  warning: "\x1b[33m",
  error: "\x1b[31m",
  critical: "\x1b[41;97m",
  started: "\x1b[34m",
  succeeded: "\x1b[32m",
  failed: "\x1b[31m",
} as const;

/** Names of the record's own fields in either format, so they are not repeated as key=value. */
const OWN = new Set([
  "ts", "tid", "lvl", "mt", "msg", "at", "st",
  "timestamp", "task_uuid", "task_level", "message_type", "message", "action_type", "action_status",
]);

/**
 * One record as a terminal line (with `\n`), coloured when `color` is true.
 *
 * @example
 * prettyLine('{"ts":1795718250.3,"tid":"Xa.1","lvl":[1],"mt":"info","msg":"hi","n":1}\n', false);
 * // "10:37:30.300 INFO     hi n=1\n" (in local time)
 */
export function prettyLine(line: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return neutralise(line.trimEnd()) + "\n";
  }
  const paint = (name: keyof typeof COLORS, text: string): string => (color ? COLORS[name] + text + COLORS.reset : text);
  const ts = Number(rec.ts ?? rec.timestamp);
  const time = Number.isFinite(ts) ? clock(ts) : "--:--:--.---";
  const lvl = (rec.lvl ?? rec.task_level) as unknown;
  const depth = Array.isArray(lvl) ? Math.max(0, lvl.length - 1) : 0;
  const action = (rec.at ?? rec.action_type) as unknown;
  const status = String(rec.st ?? rec.action_status ?? "");
  const type = String(rec.mt ?? rec.message_type ?? "");
  let head: string;
  if (action !== undefined) {
    const mark = status === "started" ? "▶" : status === "succeeded" ? "✔" : status === "failed" ? "✖" : "•";
    const key = (status in COLORS ? status : "info") as keyof typeof COLORS;
    head = paint(key, `${mark} ${neutralise(String(action))} ${neutralise(status)}`);
  } else {
    const key = (type in COLORS ? type : "info") as keyof typeof COLORS;
    head = paint(key, neutralise(type.toUpperCase()).padEnd(8)) + " " + neutralise(String(rec.msg ?? rec.message ?? ""));
  }
  let rest = "";
  for (const [k, v] of Object.entries(rec)) {
    if (OWN.has(k)) continue;
    rest += " " + paint("dim", neutralise(k) + "=") + neutralise(typeof v === "string" ? v : JSON.stringify(v));
  }
  return `${paint("dim", time)} ${"  ".repeat(depth)}${head}${rest}\n`;
}

function clock(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Shows C0/C1 control characters (ESC, CR, LF, BEL...) as visible escapes. */
export function neutralise(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
}
