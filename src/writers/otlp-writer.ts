import { nativeBinding } from "../binding";
import { type AsyncSettings, asyncSettings } from "../options";
import type { OtlpTarget } from "../otlp/target";
import { NativeFileWriter } from "./native-file";
import { JsOtlpWriter } from "./otlp-js";
import type { Writer, WriterFault } from "./writer";

/**
 * Records per export at least: a collector takes a few hundred records in
 * one request for about the cost of one (OpenTelemetry's own batch
 * processors export 512), while a file's batch size is tuned for `writev`.
 */
const MIN_EXPORT_BATCH = 512;

/**
 * The writer of an OTLP destination: the native one (the exporter on a
 * Rust thread, behind the file writers' queue) where the addon loads, else
 * the pure-TypeScript one with the official exporter packages. Export is
 * always asynchronous: without async settings (`asyncEnabled: false`), the
 * defaults apply to it.
 *
 * @example
 * const w = otlpWriter(resolveOtlp({ type: "otlp" }), settings.async, 5000, report);
 */
export function otlpWriter(target: OtlpTarget, async: AsyncSettings | undefined, timeoutMs: number, report: (fault: WriterFault) => void): Writer {
  const base = async ?? asyncSettings({});
  const settings = { ...base, batchSize: Math.min(Math.max(base.batchSize, MIN_EXPORT_BATCH), base.maxQueue) };
  const binding = nativeBinding();
  if (binding === undefined) return new JsOtlpWriter(target, settings, timeoutMs, report);
  const otlp = {
    endpoint: target.url,
    protocol: target.protocol,
    headers: target.headers,
    resourceJson: JSON.stringify(target.resource),
    timeoutMs: target.timeoutMs,
    gzip: target.gzip,
    breakerFailures: target.breaker.failures,
    breakerAfterMs: target.breaker.afterMs,
    breakerCooldownMs: target.breaker.cooldownMs,
  };
  return new NativeFileWriter(binding, target.name, { mode: "a", clean: false, fileMode: 0o640 }, settings, timeoutMs, report, undefined, otlp);
}
