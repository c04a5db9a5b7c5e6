import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { logxpy, requireTool, run, writeAppLog } from "./cli-helpers";
import { tempDir } from "./helpers";

function appLog(format: "logxpy" | "eliot"): string {
  const file = join(tempDir(), "app.log");
  writeAppLog(file, format);
  return file;
}

test("export --to json writes every record under logxpy's names, in tree order, whatever the input format", (t) => {
  const compact = appLog("logxpy");
  const eliot = appLog("eliot");
  const strip = (text: string) => text.trim().split("\n").map((l) => {
    const { ts, tid, dur, stack, ...rest } = JSON.parse(l);
    return { ...rest, ts: typeof ts, tid: typeof tid, dur: typeof dur, stack: typeof stack };
  });
  const a = strip(logxpy(["export", "--to", "json", compact, `${compact}.child`]).stdout);
  const b = strip(logxpy(["export", "--to", "json", eliot, `${eliot}.child`]).stdout);
  t.is(a.length, 20);
  t.deepEqual(a, b);
  t.deepEqual(a[1], { lvl: [1], at: "http:request", st: "started", method: "GET", path: "/users/7", ts: "number", tid: "string", dur: "undefined", stack: "undefined" });
  t.deepEqual(a.find((r) => r.at === "payment" && r.st === "failed"), { lvl: [2], at: "payment", st: "failed", exc: "Error", reason: "card declined", ts: "number", tid: "string", dur: "number", stack: "string" });
});

test("export --fields keeps the fields named, dotted paths included", (t) => {
  const out = logxpy(["export", "--to", "json", "--fields", "mt,msg,user.name", "--grep", "user loaded", "--only", appLog("logxpy")]).stdout;
  t.is(out, '{"mt":"success","msg":"user loaded","user.name":"alice"}\n');
});

test("export --to csv quotes what needs quoting and keeps the other fields as JSON in one column", (t) => {
  const lines = logxpy(["export", "--to", "csv", "--task", "X.1", "-"], {
    input: '{"ts":1,"tid":"X.1","lvl":[1],"mt":"info","msg":"a, \\"b\\"\\nc","n":1,"s":"x"}\n',
  }).stdout.split("\r\n");
  t.is(lines[0], "ts,tid,lvl,mt,msg,at,st,dur,exc,reason,stack,fields");
  t.is(lines[1], '1,X.1,[1],info,"a, ""b""\nc",,,,,,,"{""n"":1,""s"":""x""}"');
  const picked = logxpy(["export", "--to", "csv", "--fields", "tid,n", "-"], { input: '{"ts":1,"tid":"X.1","lvl":[1],"mt":"info","msg":"m","n":1}\n' }).stdout;
  t.is(picked, "tid,n\r\nX.1,1\r\n");
});

test("export --fields that names no field is a usage error, not a file of empty records", (t) => {
  for (const fields of ["", " , "]) {
    const r = logxpy(["export", "--to", "csv", "--fields", fields, "-"], { input: '{"ts":1,"tid":"X.1","lvl":[1],"mt":"info","msg":"m"}\n' });
    t.is(r.status, 2, JSON.stringify(fields));
    t.true(r.stderr.includes("--fields") && r.stderr.includes("LOGXPY_ERR_USAGE"), r.stderr);
    t.is(r.stdout, "");
  }
});

test("export --to logfmt writes key=value lines, quoting values with spaces or control characters", (t) => {
  const out = logxpy(["export", "--to", "logfmt", "-"], {
    input: '{"ts":1.5,"tid":"X.1","lvl":[1],"mt":"info","msg":"two words","raw":"a\\u001b[2Jb","obj":{"k":1}}\n',
  }).stdout;
  t.is(out, 'ts=1.5 tid=X.1 lvl=[1] mt=info msg="two words" raw="a\\u001b[2Jb" obj="{\\"k\\":1}"\n');
});

test("an Eliot-format record's fields named like logxpy's own (ts, msg) are exported renamed as logxpy renames them, and filters see the record's own values", (t) => {
  const input = '{"timestamp":1.5,"task_uuid":"E.1","task_level":[1],"message_type":"info","message":"hello","ts":"user-ts","msg":"user-msg","_msg":"taken"}\n';
  t.is(logxpy(["export", "--to", "json", "-"], { input }).stdout, '{"ts":1.5,"tid":"E.1","lvl":[1],"mt":"info","msg":"hello","_ts":"user-ts","__msg":"user-msg","_msg":"taken"}\n');
  t.is(logxpy(["export", "--to", "json", "--fields", "ts,msg,_ts", "-"], { input }).stdout, '{"ts":1.5,"msg":"hello","_ts":"user-ts"}\n');
  for (const filter of [["--grep", "hello"], ["--field", "msg=hello"], ["--field", "_ts=user-ts"]]) {
    t.regex(logxpy([...filter, "-"], { input }).stdout, /^E\.1 /, filter.join(" "));
  }
});

test("a field named __proto__, which logxpy writes as an ordinary key, is read as one: exported, shown and found", (t) => {
  const input = '{"ts":1,"tid":"X.1","lvl":[1],"mt":"info","msg":"m","__proto__":{"p":1},"a":2}\n';
  t.is(logxpy(["export", "--to", "json", "-"], { input }).stdout, input);
  t.is(logxpy(["export", "--to", "json", "--fields", "__proto__.p,a", "-"], { input }).stdout, '{"__proto__.p":1,"a":2}\n');
  t.is(logxpy(["export", "--to", "csv", "-"], { input }).stdout.split("\r\n")[1], '1,X.1,[1],info,m,,,,,,,"{""__proto__"":{""p"":1},""a"":2}"');
  t.regex(logxpy(["-"], { input }).stdout, /\n {3}├─ __proto__: \{"p":1\}\n {3}└─ a: 2\n/);
  t.regex(logxpy(["--has", "__proto__.p", "-"], { input }).stdout, /^X\.1 /);
  const action = '{"ts":1,"tid":"Y.1","lvl":[1],"at":"job","st":"started"}\n{"ts":2,"tid":"Y.1","lvl":[2],"at":"job","st":"succeeded","__proto__":"end"}\n';
  t.regex(logxpy(["-"], { input: action }).stdout, /\n {3}└─ __proto__: end\n/, "an end record's own field");
  const stats = JSON.parse(logxpy(["stats", "--json", "-"], { input: action.replaceAll('"job"', '"__proto__"') }).stdout);
  t.deepEqual(Object.keys(stats.actions), ["__proto__"], "an action type named __proto__ is counted too");
});

test("export --to html is one self-contained page of collapsible task trees that Chromium renders", (t) => {
  requireTool("chromium");
  const dir = tempDir();
  const page = join(dir, "app.html");
  const r = logxpy(["export", "--to", "html", "-o", page, appLog("logxpy")]);
  t.is(r.status, 0, r.stderr);
  const html = readFileSync(page, "utf8");
  t.false(/\b(src|href)=/.test(html), "nothing loaded from outside the page");
  t.false(html.includes("\x1b"), "terminal escapes from records are not in the page");
  const chromium = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--user-data-dir=${join(dir, "profile")}`];
  const dom = run("chromium", [...chromium, "--dump-dom", `file://${page}`]);
  t.is(dom.match(/<details class="task" open="">/g)?.length, 6);
  t.true(dom.includes('<span class="fail">✖ failed</span> <span class="type">payment</span>'));
  t.true(dom.includes("<pre>Error: card declined\n"));
  t.true(dom.includes('<span class="k">raw:</span> a\\x1b[31mred\\x1b[0m\\r\\nFAKE line</li>'));
  t.true(dom.includes("logxpy:remote_task"));
  const folded = run("chromium", [...chromium, "--dump-dom", `file://${page}#collapsed`]);
  t.is(folded.match(/<details/g)?.length, dom.match(/<details/g)?.length);
  t.false(folded.includes('open=""'), "the collapse-all script folds every tree");
  const shot = join(dir, "app.png");
  run("chromium", [...chromium, "--window-size=1100,1400", `--screenshot=${shot}`, `file://${page}`]);
  const png = readFileSync(shot);
  t.is(png.subarray(1, 4).toString(), "PNG");
  t.is(png.readUInt32BE(16), 1100, "the screenshot has the window's width");
});
