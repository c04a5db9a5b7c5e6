import type { AsyncSettings } from "../options";
import { FileTarget, type OpenOptions } from "./fd";
import { JsAsyncWriter } from "./js-async";
import { SyncWriter } from "./sync";
import type { Writer, WriterFault } from "./writer";

/**
 * The writer for one log file: synchronous when `async` is undefined, else
 * the asynchronous writer. Decided here, once per file, so no log call ever
 * asks which writer it has.
 *
 * @example
 * const w = fileWriter("app.log", { mode: "w", clean: false, fileMode: 0o640 }, settings.async, 5000, report);
 */
export function fileWriter(
  path: string,
  open: OpenOptions,
  async: AsyncSettings | undefined,
  timeoutMs: number,
  report: (fault: WriterFault) => void,
): Writer {
  const target = FileTarget.open(path, open);
  if (async === undefined) return new SyncWriter(target, timeoutMs, report);
  return new JsAsyncWriter(target, async, timeoutMs, report);
}
