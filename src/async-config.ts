import { ErrorCode, LogxpyError } from "./errors";
import { describe } from "./levels";
import { rejectUnknown } from "./option-checks";
import { asyncSettings, type AsyncOptions, type PolicyName, type QueuePolicy } from "./options";

/** The settings of an {@link AsyncConfig}, as its constructor and `log.configureAsync()` take them. */
export interface AsyncConfigInit {
  maxQueueSize?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  queuePolicy?: PolicyName;
  statsInterval?: number;
}

const ASYNC_CONFIG_KEYS = new Set(["maxQueueSize", "batchSize", "flushIntervalMs", "queuePolicy", "statsInterval"]);

/**
 * The Python logxpy's `AsyncConfig`, for `log.configureAsync()`.
 *
 * @example
 * log.configureAsync(new AsyncConfig({ maxQueueSize: 1000, queuePolicy: QueuePolicy.DROP_OLDEST }));
 */
export class AsyncConfig {
  readonly maxQueueSize: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly queuePolicy: QueuePolicy;
  readonly statsInterval: number;

  constructor(init: AsyncConfigInit = {}) {
    if (init === null || typeof init !== "object") {
      throw new LogxpyError(ErrorCode.OPTION, `AsyncConfig needs an object of settings; got ${describe(init)}`);
    }
    rejectUnknown(init, ASYNC_CONFIG_KEYS, "AsyncConfig");
    const settings = asyncSettings({
      maxQueue: init.maxQueueSize,
      batchSize: init.batchSize,
      flushInterval: init.flushIntervalMs === undefined ? undefined : `${init.flushIntervalMs}ms`,
      policy: init.queuePolicy,
      statsInterval: init.statsInterval,
    });
    this.maxQueueSize = settings.maxQueue;
    this.batchSize = settings.batchSize;
    this.flushIntervalMs = settings.flushIntervalMs;
    this.queuePolicy = settings.policy;
    this.statsInterval = settings.statsInterval;
  }

  /**
   * `config` itself when it is an AsyncConfig, else an AsyncConfig made from
   * a plain object of the same settings (which are checked).
   *
   * @example
   * AsyncConfig.from({ maxQueueSize: 10 }).maxQueueSize; // 10
   */
  static from(config: AsyncConfig | AsyncConfigInit): AsyncConfig {
    return config instanceof AsyncConfig ? config : new AsyncConfig(config);
  }

  /** The same settings in `useAsync()` form. */
  toOptions(): AsyncOptions {
    return {
      maxQueue: this.maxQueueSize,
      batchSize: this.batchSize,
      flushInterval: `${this.flushIntervalMs}ms`,
      policy: this.queuePolicy,
      statsInterval: this.statsInterval,
    };
  }
}
