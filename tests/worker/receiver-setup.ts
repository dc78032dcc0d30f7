import { createServer, type IncomingMessage } from "node:http";
import type { TestProject } from "vitest/node";

/**
 * A tiny webhook receiver on 127.0.0.1 for the outgoing webhooks' tests, on the port after the
 * Stripe emulator's (tests/worker/helpers.ts `RECEIVER`). `POST /hook/<name>` is recorded (headers
 * and body) and answered with the next status of `<name>`'s script (the last one repeats; 200
 * when none); `POST /_control/<name>` `{"statuses": [500, 200], "delayMs": 0}` sets the script and
 * forgets what was received; `GET /_control/<name>` lists what was received.
 */
type Box = {
  statuses: number[];
  delayMs: number;
  received: { headers: Record<string, string>; body: string; at: number }[];
};

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
  });

export default async function setup(project: TestProject) {
  const port = (project.config.provide.emulatorPort ?? 12199) + 1;
  const boxes = new Map<string, Box>();
  const box = (name: string) => {
    let b = boxes.get(name);
    if (!b) {
      b = { statuses: [], delayMs: 0, received: [] };
      boxes.set(name, b);
    }
    return b;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, kind, name = ""] = url.pathname.split("/");
    const body = await read(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (kind === "_control") {
      if (req.method === "POST") {
        const script = body ? (JSON.parse(body) as { statuses?: number[]; delayMs?: number }) : {};
        boxes.set(name, { statuses: script.statuses ?? [], delayMs: script.delayMs ?? 0, received: [] });
        return json(200, { ok: true });
      }
      return json(200, { received: box(name).received });
    }
    if (kind === "hook" && req.method === "POST") {
      const b = box(name);
      b.received.push({ headers: req.headers as Record<string, string>, body, at: Date.now() });
      const status = b.statuses.length > 1 ? (b.statuses.shift() as number) : (b.statuses[0] ?? 200);
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      return json(status, { received: true, n: b.received.length });
    }
    json(404, { error: "nothing here" });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return async () => new Promise<void>((resolve) => server.close(() => resolve()));
}
