// The load for one HTTP run (benchmark/http.mjs), from a process of its own:
// autocannon against argv[2] with argv[3] connections for argv[4] seconds.
// Prints one JSON line: requests per second, latency percentiles (ms), and
// anything that was not a 2xx answer.
import autocannon from "autocannon";

const [url, connections, seconds] = process.argv.slice(2);
const result = await autocannon({ url, connections: Number(connections), duration: Number(seconds), pipelining: 1 });
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    reqPerSec: result.requests.total / Number(seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }) + "\n",
);
