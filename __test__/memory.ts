import { Logger } from "../src/index";
import type { InitOptions } from "../src/options";

/** A logger whose only destination is an array of parsed records, plus the raw lines. */
export function memoryLogger(options: Pick<InitOptions, "maskFields" | "maskPatterns" | "context" | "level"> = {}): {
  log: Logger;
  records: Record<string, unknown>[];
  lines: string[];
} {
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const log = new Logger().configure({
    ...options,
    destinations: [
      (record, line) => {
        records.push(record);
        lines.push(line);
      },
    ],
  });
  return { log, records, lines };
}
