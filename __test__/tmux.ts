import { CLI, requireTool, run } from "./cli-helpers";

/**
 * A terminal of its own in tmux running `logxpy` (or `program`, a command
 * line); `screen` is everything it printed, scrollback included.
 */
export class Pane {
  readonly name = `logxpy-follow-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(args: string[], env: Record<string, string> = {}, program: string[] = [process.execPath, CLI]) {
    requireTool("tmux");
    const vars = Object.entries(env).map(([k, v]) => `${k}='${v}' `).join("");
    const cmd = vars + [...program, ...args].map((a) => `'${a}'`).join(" ");
    // The history limit is read when a pane is made, so it is set (for the server) in the same call, before.
    run("tmux", ["start-server", ";", "set-option", "-g", "history-limit", "100000", ";", "new-session", "-d", "-s", this.name, "-x", "160", "-y", "50", `${cmd}; sleep 600`]);
  }

  /** The text shown; with `escapes`, the colour sequences too. */
  screen(escapes = false): string {
    return run("tmux", ["capture-pane", "-p", "-J", ...(escapes ? ["-e"] : []), "-S", "-", "-t", this.name]);
  }

  /** Waits until the screen shows what `ready` looks for; fails with the screen after 30 s. */
  async until(ready: (screen: string) => boolean): Promise<string> {
    const end = Date.now() + 30_000;
    for (;;) {
      const s = this.screen();
      if (ready(s)) return s;
      if (Date.now() > end) throw new Error(`timed out; the pane shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    run("tmux", ["kill-session", "-t", this.name]);
  }
}
