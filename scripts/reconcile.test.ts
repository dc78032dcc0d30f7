// @vitest-environment node
/**
 * `npm run reconcile`: the command a newsroom runs, against a stand-in for the worker's staff API
 * (the worker's own reconciliation is proven in tests/worker/reconcile.test.ts).
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: Server;
let base = "";
const seen: { url: string; auth: string; method: string }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", auth: String(req.headers.authorization), method: req.method ?? "" });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn("npm", ["run", "--silent", "reconcile", "--", ...args], {
    env: { ...process.env, ADMIN_TOKEN: "staff-token", WORKER_URL: base, ...env },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, out, err })));
}

const report = (differences: unknown[]) => ({
  id: "rec_1",
  trigger: "api",
  since: Date.parse("2026-10-11T09:00:00Z"),
  until: Date.parse("2026-11-10T09:00:00Z"),
  status: differences.length ? "differences" : "ok",
  eventsSeen: 120,
  eventsReplayed: 3,
  chargesChecked: 45,
  differences,
  error: null,
});

describe("npm run reconcile", () => {
  it("asks the worker for the window with the staff token and prints what it found (exit 2 on differences)", async () => {
    answer = {
      status: 200,
      body: report([
        { kind: "status_drift", objectId: "re_1", repaired: true, detail: "Refund re_1 is failed at Stripe." },
        { kind: "missing_payment", objectId: "ch_1", repaired: false, detail: "No payment for 4000 USD." },
      ]),
    };
    const run = await cli(["--since", "30d"]);
    expect(seen.at(-1)).toEqual({ url: "/admin/api/reconcile?since=30d", auth: "Bearer staff-token", method: "POST" });
    expect(run.status).toBe(2);
    expect(run.out).toContain("120 events read, 3 applied that the ledger had missed, 45 payments compared.");
    expect(run.out).toContain("- [repaired] status_drift re_1: Refund re_1 is failed at Stripe.");
    expect(run.out).toContain("- [to look at] missing_payment ch_1: No payment for 4000 USD.");
  });

  it("exit 0 when the ledger and Stripe agree; 1 with the worker's message when it refuses", async () => {
    answer = { status: 200, body: report([]) };
    const ok = await cli(["--since", "12h"]);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain("The ledger and Stripe agree.");
    answer = {
      status: 400,
      body: { error: { code: "invalid_since", message: "since reaches back at most 30 days.", field: "since" } },
    };
    const refused = await cli(["--since", "90d"]);
    expect(refused.status).toBe(1);
    expect(refused.err).toContain("reconcile: 400 since reaches back at most 30 days.");
    const noToken = await cli([], { ADMIN_TOKEN: "" });
    expect(noToken.status).toBe(1);
    expect(noToken.err).toContain("set ADMIN_TOKEN");
  });
});
