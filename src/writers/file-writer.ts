import { isMainThread } from "node:worker_threads";
import type { AsyncSettings, RotateSettings } from "../options";
import { FileTarget, type OpenOptions } from "./fd";
import { nativeBinding } from "../binding";
import { JsAsyncWriter } from "./js-async";
import { NativeFileWriter } from "./native-file";
import { SyncWriter } from "./sync";
import type { Writer, WriterFault } from "./writer";

/**
 * The writer for one log file: synchronous when `async` is undefined, else
 * the native writer where the addon loads (and `LOGXPY_NATIVE` is not "0"),
 * else the pure-TypeScript one. Decided here, once per file, so no log call
 * ever asks which writer it has. Each of them rotates the file by `rotate`
 * when it is given.
 *
 * In a worker thread without the native addon, records are written
 * synchronously: when the main thread exits or terminates the worker, no
 * JavaScript runs in it any more, so a record queued on its side would be
 * lost, and one written before its log call returned is not.
 *
 * @example
 * const w = fileWriter("app.log", { mode: "w", clean: false, fileMode: 0o640 }, settings.async, 5000, report, settings.rotate);
 */
export function fileWriter(
  path: string,
  open: OpenOptions,
  async: AsyncSettings | undefined,
  timeoutMs: number,
  report: (fault: WriterFault) => void,
  rotate?: RotateSettings,
): Writer {
  const binding = async === undefined ? undefined : nativeBinding();
  if (binding !== undefined) return new NativeFileWriter(binding, path, open, async!, timeoutMs, report, rotate);
  const target = FileTarget.open(path, open);
  if (async === undefined || !isMainThread) return new SyncWriter(target, timeoutMs, report, rotate);
  return new JsAsyncWriter(target, async, timeoutMs, report, rotate);
}
