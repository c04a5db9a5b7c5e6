import type { Entry } from "./entry";
import { type Item, wanted } from "./filters";
import { ActionNode, type Task } from "./task";
import { isoTime, neutralise, seconds } from "./text";

const STYLE = `
body{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:1.5em;color:#1d2330;background:#fbfbfd}
h1{font-size:1.2em;margin:0 0 .4em} .bar{margin-bottom:1em} .bar button{font:inherit;margin-right:.5em}
details{margin:.1em 0 .1em 1.1em} details.task{margin:.6em 0;border:1px solid #d8dbe4;border-radius:6px;background:#fff;padding:.3em .6em}
summary{cursor:pointer} li{overflow-wrap:anywhere} ul{list-style:none;margin:0;padding-left:1.6em;border-left:1px dotted #c3c7d3}
.k{color:#6b7385} .ok{color:#1a7f37} .fail{color:#c62828} .open{color:#a86400} .dim{color:#8a90a0}
.tid{font-weight:bold} .type{font-weight:bold} pre{margin:.2em 0 .2em 1em;color:#6d4040;white-space:pre-wrap}
.lvl-debug{color:#8a90a0} .lvl-info{color:#0b6bcb} .lvl-success{color:#1a7f37} .lvl-note{color:#8e44ad}
.lvl-warning{color:#a86400} .lvl-error,.lvl-critical{color:#c62828;font-weight:bold}`;

// Buttons only toggle <details>; the page reads the same with scripts off. `page.html#collapsed` opens folded.
const SCRIPT = `function setAll(o){for(const d of document.querySelectorAll("details"))d.open=o}` +
  `if(location.hash==="#collapsed")addEventListener("DOMContentLoaded",()=>setAll(false))`;

const ICON: Record<string, [string, string]> = { succeeded: ["✔", "ok"], failed: ["✖", "fail"], started: ["…", "open"] };

/**
 * One self-contained HTML page (no outside file, font or script) with each
 * task as a tree of collapsible `<details>`, written a task at a time so a
 * big log streams through.
 *
 * @example
 * const page = new HtmlExporter("app.log");
 * out.write(page.header()); out.write(page.task(task)); out.write(page.footer());
 */
export class HtmlExporter {
  #tasks = 0;

  constructor(readonly title: string, readonly keep?: (item: Item) => boolean) {}

  header(): string {
    const t = esc(this.title);
    return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${t} · logxpy</title><style>${STYLE}</style>` +
      `<script>${SCRIPT}</script></head><body>\n<h1>${t}</h1>\n` +
      `<div class="bar"><button type="button" onclick="setAll(true)">expand all</button><button type="button" onclick="setAll(false)">collapse all</button></div>\n`;
  }

  task(task: Task): string {
    this.#tasks++;
    const root = task.root;
    const hasAction = root.start !== undefined || root.end !== undefined;
    const dur = task.duration;
    const notes = [task.continued ? "continued" : "", task.complete ? "" : "incomplete"].filter((s) => s !== "");
    const summary = `<span class="tid">${esc(task.tid)}</span> <span class="dim">${isoTime(task.firstTs)}</span>` +
      (hasAction ? " " + status(root) + ` <span class="type">${esc(root.type ?? "?")}</span>` : "") +
      (dur === undefined || task.records < 2 ? "" : ` <span class="dim">${seconds(dur)}</span>`) +
      (notes.length > 0 ? ` <span class="open">(${notes.join("; ")})</span>` : "");
    const body = hasAction ? this.#actionBody(root) : this.#children(root);
    return `<details class="task" open><summary>${summary}</summary><ul>${body}</ul></details>\n`;
  }

  footer(): string {
    return `<p class="dim">${this.#tasks} tasks</p>\n</body></html>\n`;
  }

  #action(node: ActionNode): string {
    const dur = node.duration;
    const summary = `${status(node)} <span class="type">${esc(node.type ?? "?")}</span>` + (dur === undefined ? "" : ` <span class="dim">${seconds(dur)}</span>`);
    return `<li><details open><summary>${summary}</summary><ul>${this.#actionBody(node)}</ul></details></li>`;
  }

  #actionBody(node: ActionNode): string {
    const own = this.keep === undefined || this.keep(node);
    let html = own && node.start !== undefined ? fields(node.start.fields) : "";
    html += this.#children(node);
    if (own && node.end !== undefined) html += fields(node.endFields) + exception(node.end);
    return html;
  }

  #children(node: ActionNode): string {
    let html = "";
    for (const c of node.ordered()) {
      if (c.item instanceof ActionNode) {
        if (this.keep === undefined || wanted(c.item, this.keep)) html += this.#action(c.item);
      } else if (this.keep === undefined || this.keep(c.item)) {
        html += message(c.item);
      }
    }
    return html;
  }
}

function message(e: Entry): string {
  const mt = e.mt ?? "";
  const inner = fields(e.fields) + exception(e);
  const line = `<span class="lvl-${esc(mt.replace(/[^a-z]/g, ""))}">${esc(mt)}</span> ${esc(e.msg ?? "")}`;
  return inner === "" ? `<li>${line}</li>` : `<li><details open><summary>${line}</summary><ul>${inner}</ul></details></li>`;
}

function status(node: ActionNode): string {
  const [icon, cls] = ICON[node.status] ?? ["?", "open"];
  return `<span class="${cls}">${icon} ${esc(node.status)}</span>`;
}

function fields(f: Record<string, unknown>): string {
  let html = "";
  for (const [k, v] of Object.entries(f)) html += `<li><span class="k">${esc(k)}:</span> ${esc(typeof v === "string" ? v : JSON.stringify(v) ?? "")}</li>`;
  return html;
}

function exception(e: Entry): string {
  if (e.exc === undefined && e.reason === undefined && e.stack === undefined) return "";
  const head = `<li class="fail">✖ ${esc(e.exc ?? "error")}${e.reason === undefined ? "" : ": " + esc(e.reason)}`;
  return head + (e.stack === undefined ? "" : `<pre>${e.stack.split("\n").map(esc).join("\n")}</pre>`) + "</li>";
}

/** HTML-escaped, control characters shown as escapes like on the terminal. */
function esc(text: string): string {
  return neutralise(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
