/**
 * logxpy: structured, causal JSON-lines logging for Node.js.
 *
 * @example
 * import { log } from "logxpy";
 * log.init("app.log");
 * log.info("Hello", { userId: 123 });
 */
import { Logger } from "./logger";

/** The process's logger. */
export const log = new Logger();

export { Logger } from "./logger";
export { Action } from "./action";
export { AsyncConfig } from "./async-config";
export type { AsyncConfigInit } from "./async-config";
export { QueuePolicy } from "./options";
export { DEFAULT_MASK_FIELDS } from "./masking";
export type { AsyncOptions, Durability, InitOptions, PolicyName, RotateOptions } from "./options";
export type { DurableOptions, FlushCallOptions } from "./logger";
export type { SignalOptions } from "./signals";
export type { ConfigureOptions } from "./options";
export type { LoggedOptions } from "./logged";
export type { Destination, DestinationFunction, FileDestination, ConsoleDestination, OtlpDestination } from "./destinations";
export type { OtlpProtocol } from "./otlp/target";
export { MASK_PATTERNS } from "./masking";
export { ErrorCode, LogxpyError } from "./errors";
export { LEVELS } from "./levels";
export type { LevelName, ThresholdName } from "./levels";
export type { WriterFault, WriterMetrics } from "./writers/writer";
export type { SerializeLimits } from "./serialize";
export type { ActionStatus, Fields, LogRecord } from "./record";
export type { ChildOptions } from "./logger";
export type { Mixin } from "./options";
export type { OtelOptions } from "./otel";
export type { Serializers } from "./http/request";
