// The record shapes every configuration logs. Each carries `reqId: i`, so the
// parent can check that every record reached the file exactly once.

/** The message of every record. */
export const MESSAGE = "request handled";

// A request context six objects deep: deep enough to exercise the
// serializer's recursion, shallow enough that logxpy's default depth limit
// (10) does not cut it, so every logger writes the same data.
const DEEP = {
  request: {
    method: "GET",
    url: "/api/v1/items?page=2&sort=-created",
    headers: { host: "shop.internal", "user-agent": "bench/1.0", accept: "application/json", "x-request-id": "c0ffee" },
    remote: { address: "127.0.0.1", port: 51234, family: "IPv4" },
  },
  user: {
    id: 42,
    name: "alice",
    roles: ["admin", "editor", "viewer"],
    profile: {
      locale: "en-GB",
      timezone: "Europe/London",
      preferences: {
        theme: "dark",
        notifications: { email: true, sms: false, digest: { daily: true, weekly: false, hour: 8 } },
      },
    },
  },
  cart: {
    items: [
      { sku: "A-1001", qty: 2, price: 9.99, attributes: { colour: "red", size: "M" } },
      { sku: "B-2002", qty: 1, price: 24.5, attributes: { colour: "blue", size: "L" } },
    ],
    totals: { net: 44.48, tax: 8.9, gross: 53.38, currency: "EUR" },
  },
};

// 2 KB of plain text, as a request body or stack trace would be.
const LONG = "The quick brown fox jumps over the lazy dog. ".repeat(46).slice(0, 2048);

/**
 * Fields of record `i` for each shape. A new object per call, as real code
 * builds one per request.
 */
export const SHAPES = {
  standard: (i) => ({ reqId: i, user: "alice", path: "/api/v1/items", status: 200, durationMs: 12.5, tags: ["a", "b"] }),
  deep: (i) => ({ reqId: i, ...DEEP }),
  long: (i) => ({ reqId: i, body: LONG }),
};

/** How each shape is described in the report. */
export const SHAPE_NOTES = {
  standard: 'info "request handled" + `{ reqId, user, path, status, durationMs, tags: ["a","b"] }`',
  deep: "info + a request context nested six objects deep (≈0.8 KB of JSON)",
  long: "info + one 2,048-character string field",
};
