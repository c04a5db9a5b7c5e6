// Worker threads logging to one file, their records inside the main thread's task.
// Usage: node examples/worker-threads.mjs [file.log] [workers]
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { log } from "../dist/index.mjs";

if (isMainThread) {
  const file = process.argv[2] ?? fileURLToPath(new URL("./worker-threads.log", import.meta.url));
  const workers = Number(process.argv[3] ?? 4);
  log.init(file); // "w": the main thread truncates the file once

  await log.action("jobs:run", { workers }, () =>
    Promise.all(
      Array.from({ length: workers }, (_, n) => {
        // Each hand-off gets its own id: the worker's records become a child of jobs:run.
        const worker = new Worker(new URL(import.meta.url), { workerData: { file, n, taskId: log.currentTaskId() } });
        return new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject));
      }),
    ),
  );
  await log.flush();
  console.log(`${workers} workers logged to ${file}`);
} else {
  const { file, n, taskId } = workerData;
  log.init(file, { mode: "a" }); // append: never truncate what the main thread wrote
  log.continueTask(taskId, () => {
    for (let i = 0; i < 3; i++) log.info("job step", { worker: n, step: i });
  });
  await log.flush();
  parentPort.postMessage("done");
}
