/**
 * `npm run reconcile -- --since 30d`: asks the worker to check its ledger against Stripe
 * (`POST /admin/api/reconcile`, the same run as the daily Cron step and the dashboard's button)
 * and prints what it found.
 *
 *   ADMIN_TOKEN=… npm run reconcile -- --since 30d [--url https://support.example.org]
 *
 * `--since`: 30d, 12h or a UTC day (YYYY-MM-DD), at most 30 days back (Stripe keeps events no
 * longer). `--url` (or WORKER_URL): the worker, default http://localhost:8787 (`npm start`).
 * Exit status: 0 when the ledger and Stripe agree, 2 when the run found differences (they are
 * printed and stored; repaired ones are marked), 1 when it could not run.
 */
import { parseArgs } from "node:util";

type Report = {
  id: string;
  trigger: string;
  since: number;
  until: number;
  status: "ok" | "differences" | "failed";
  eventsSeen: number;
  eventsReplayed: number;
  chargesChecked: number;
  differences: { kind: string; objectId: string; repaired: boolean; detail: string }[];
  error: string | null;
};

/** Runs one reconciliation through the worker's staff API; returns the lines to print and the exit status. */
export async function runReconcile(opts: {
  url: string;
  token: string;
  since: string;
  fetch?: typeof fetch;
}): Promise<{ lines: string[]; status: number }> {
  const call = opts.fetch ?? fetch;
  const endpoint = new URL("/admin/api/reconcile", opts.url);
  endpoint.searchParams.set("since", opts.since);
  const response = await call(endpoint, { method: "POST", headers: { authorization: `Bearer ${opts.token}` } });
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!body || typeof body.id !== "string") {
    const error = body?.error as { message?: string } | undefined;
    return { lines: [`reconcile: ${response.status} ${error?.message ?? response.statusText}`], status: 1 };
  }
  const report = body as unknown as Report;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  const lines = [
    `Reconciliation ${report.id}, ${day(report.since)} → ${day(report.until)} UTC:`,
    `  ${report.eventsSeen} events read, ${report.eventsReplayed} applied that the ledger had missed, ${report.chargesChecked} payments compared.`,
  ];
  if (report.status === "failed") return { lines: [...lines, `  It failed: ${report.error}`], status: 1 };
  if (report.differences.length === 0) return { lines: [...lines, "  The ledger and Stripe agree."], status: 0 };
  lines.push(`  ${report.differences.length} difference(s):`);
  for (const d of report.differences)
    lines.push(`  - [${d.repaired ? "repaired" : "to look at"}] ${d.kind} ${d.objectId}: ${d.detail}`);
  return { lines, status: 2 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      since: { type: "string", default: "1d" },
      url: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const usage = "ADMIN_TOKEN=… npm run reconcile -- --since 30d [--url https://support.example.org]";
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const token = process.env.ADMIN_TOKEN;
  if (!token) {
    console.error(`reconcile: set ADMIN_TOKEN (the staff token).\n${usage}`);
    return 1;
  }
  const url = values.url ?? process.env.WORKER_URL ?? "http://localhost:8787";
  const { lines, status } = await runReconcile({ url, token, since: values.since ?? "1d" });
  for (const line of lines) (status === 1 ? console.error : console.log)(line);
  return status;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(`reconcile: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
