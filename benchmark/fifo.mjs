// A FIFO with a deliberately slow reader: the destination of a logger whose
// consumer (a log shipper, a container runtime) cannot keep up. The reader
// runs in the parent and copies what it reads to a capture file, which is
// then checked like any log file.
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";

/** Makes a FIFO at `path` (Node has no mkfifo of its own). */
export function makeFifo(path) {
  execFileSync("mkfifo", ["-m", "600", path]);
}

/**
 * Opens the FIFO for reading and takes at most `chunkBytes` every `everyMs`.
 * Opened non-blocking, so it is open before any writer is: loggers that
 * open with O_NONBLOCK (logxpy) fail with ENXIO on a FIFO with no reader.
 * Call `finish()` once the writer has exited: it resolves when the reader has
 * taken everything left in the pipe.
 *
 * @example
 * const reader = startSlowReader("/tmp/x.fifo", "/tmp/x.capture", { chunkBytes: 65536, everyMs: 10 });
 * await runWriter();
 * const { bytes } = await reader.finish();
 */
export function startSlowReader(fifoPath, capturePath, { chunkBytes, everyMs }) {
  const fd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
  const out = openSync(capturePath, "w");
  const buf = Buffer.allocUnsafe(chunkBytes);
  let bytes = 0;
  let writerGone = false;
  let done;
  const finished = new Promise((resolve) => (done = resolve));

  const timer = setInterval(() => {
    let n;
    try {
      n = readSync(fd, buf, 0, chunkBytes, null);
    } catch (err) {
      if (err.code === "EAGAIN") return; // a writer is connected, nothing to read yet
      throw err;
    }
    // 0 is end of file: no writer holds the FIFO. Before the writer has
    // opened it that is expected, so only the writer's exit ends the read.
    if (n === 0) {
      if (writerGone) stop();
      return;
    }
    writeSync(out, buf, 0, n);
    bytes += n;
  }, everyMs);

  function stop() {
    clearInterval(timer);
    closeSync(fd);
    closeSync(out);
    done({ bytes });
  }

  return {
    finish() {
      writerGone = true;
      return finished;
    },
  };
}
