// A user's TypeScript: compiles only if the package's types entry resolves and describes the API.
import { log, LogxpyError, type Logger } from "logxpy";

const backend: "native" | "js" | "sync" = log.backend;
const child: Logger = log.ctx({ user: "alice" });
child.info("typed", { backend, isError: new Error() instanceof LogxpyError });
