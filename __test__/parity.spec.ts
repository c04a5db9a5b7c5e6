import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asyncSettings } from "../src/options";
import { bindingMismatch, type NativeBinding } from "../src/binding";
import { FileTarget } from "../src/writers/fd";
import { JsAsyncWriter } from "../src/writers/js-async";
import { NativeFileWriter } from "../src/writers/native-file";
import { SyncWriter } from "../src/writers/sync";
import type { Writer } from "../src/writers/writer";
import { tempDir } from "./helpers";

/** The addon, loaded directly: this suite compares the writers whatever LOGXPY_NATIVE says. */
function binding(): NativeBinding {
  try {
    return require("../native/binding.js") as NativeBinding;
  } catch (err) {
    throw new Error(`the native addon is not built (npm run build needs cargo): ${(err as Error).message}`);
  }
}

/** Lines with multi-byte text, escapes and a few large ones, identical for each writer. */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const text = i % 97 === 0 ? "x".repeat(70_000) : `ünïcødé ✓ 😀 \\n "quoted" ${i}`;
    out.push(JSON.stringify({ i, text }) + "\n");
  }
  return out;
}

const open = { mode: "w" as const, clean: false, fileMode: 0o640 };
const fail = (): void => {
  throw new Error("no write may fail in this test");
};

async function writeWith(make: (path: string) => Writer): Promise<Buffer> {
  const path = join(tempDir(), "parity.log");
  const writer = make(path);
  for (const line of lines()) {
    const bytes = Buffer.from(line, "utf8");
    writer.write(bytes, 0, bytes.length);
  }
  await writer.flush();
  const m = writer.metrics();
  writer.close(5000);
  if (m.written !== 20_000 || m.pending !== 0) throw new Error(`not all written: ${JSON.stringify(m)}`);
  return readFileSync(path);
}

test("the native, pure-TypeScript and sync writers write byte-identical files for the same lines", async (t) => {
  const settings = asyncSettings({ batchSize: 64, maxQueue: 1000 });
  const expected = Buffer.from(lines().join(""), "utf8");
  const native = await writeWith((p) => new NativeFileWriter(binding(), p, open, settings, 5000, fail));
  const js = await writeWith((p) => new JsAsyncWriter(FileTarget.open(p, open), settings, 5000, fail));
  const sync = await writeWith((p) => new SyncWriter(FileTarget.open(p, open), 5000, fail));
  t.true(native.equals(expected), "native");
  t.true(js.equals(expected), "js");
  t.true(sync.equals(expected), "sync");
});

test("the built addon has every writer method logxpy calls, and an older one without them is refused", (t) => {
  t.is(bindingMismatch(binding()), "");
  class Stale {
    write(): void {}
    flushSync(): boolean {
      return true;
    }
  }
  const why = bindingMismatch({ NativeWriter: Stale } as unknown as NativeBinding);
  t.regex(why, /older than this logxpy \(no wake, flushNotify, reopen, close, leftTornLine, rotationSeq, metrics, takeFaults, flushAllWriters\)/);
});
