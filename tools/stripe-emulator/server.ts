/**
 * The Stripe emulator's HTTP server: `/v1/*` API (auth, idempotency, faults, Request-Id,
 * Stripe-Version), hosted checkout `/c/pay/{id}`, billing portal `/p/session/{id}` and
 * test controls `/_test/*`. All state is in memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { handleApi } from "./api.ts";
import { renderCheckoutPage, renderClosedCheckoutPage, successRedirect } from "./checkout-page.ts";
import { StripeError } from "./errors.ts";
import { Faults } from "./faults.ts";
import { cancelSubscription, completeCheckout, type FlowContext } from "./flows.ts";
import { canonicalParams, type FormObject, parseForm } from "./form.ts";
import { parseBody, readBody, redirect, sendHtml, sendJson } from "./http.ts";
import { newRequestId } from "./ids.ts";
import { API_VERSION } from "./objects.ts";
import { renderMissingPortalPage, renderPortalPage } from "./portal-page.ts";
import { portalFlowAnswer } from "./recovery.ts";
import { Store } from "./store.ts";
import { type ControlContext, handleTestControl } from "./test-controls.ts";
import { WebhookDispatcher } from "./webhooks.ts";

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** Port to listen on (default 12111; 0 = a random free port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Where to POST webhooks; without it deliveries queue for `POST /_test/deliveries/drain`. */
  webhookUrl?: string;
  /** Webhook signing secret (`whsec_…`). */
  webhookSecret: string;
  /** If set, the only API key accepted; otherwise any `sk_test_…`/`rk_test_…` key. */
  secretKey?: string;
  /** Delays between webhook delivery attempts (default [500, 2000, 5000]). */
  retryDelaysMs?: number[];
  /** Base URL for hosted pages (default `http://localhost:${port}`). */
  publicUrl?: string;
  /** Logger (default: console.error with a prefix). */
  log?: (message: string) => void;
}

/** A running emulator. */
export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** True for keys that must never reach the emulator. */
export function isLiveKey(key: string | undefined): boolean {
  return Boolean(key && /^(sk|rk)_live_/.test(key));
}

const AUTH_HELP =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

function mask(key: string): string {
  return key.length > 12 ? `${key.slice(0, 8)}${"*".repeat(Math.min(20, key.length - 12))}${key.slice(-4)}` : "****";
}

/** The API key of a request (Bearer, or Basic with the key as user name), or an auth error. */
function authenticate(req: IncomingMessage, secretKey: string | undefined): { key: string } | StripeError {
  const header = req.headers.authorization ?? "";
  let key = "";
  if (/^Bearer /i.test(header)) key = header.slice(7).trim();
  else if (/^Basic /i.test(header))
    key = Buffer.from(header.slice(6).trim(), "base64").toString("utf8").split(":")[0] ?? "";
  if (!key) return new StripeError(401, "invalid_request_error", AUTH_HELP);
  if (isLiveKey(key)) {
    return new StripeError(
      401,
      "invalid_request_error",
      `Invalid API Key provided: ${mask(key)}. The Stripe emulator never accepts live keys (sk_live_/rk_live_); use a test key.`,
      undefined,
      "api_key_expired",
    );
  }
  if (/^pk_/.test(key)) {
    return new StripeError(
      401,
      "invalid_request_error",
      "This API call cannot be made with a publishable API key. Please use a secret API key.",
    );
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key) || (secretKey !== undefined && key !== secretKey)) {
    return new StripeError(401, "invalid_request_error", `Invalid API Key provided: ${mask(key)}`);
  }
  return { key };
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  if (isLiveKey(opts.secretKey)) {
    throw new Error("The Stripe emulator refuses to run with a live key (sk_live_/rk_live_). Use a test key or none.");
  }
  if (!opts.webhookSecret) throw new Error("startEmulator: webhookSecret is required");
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? ((m: string) => console.error(`[stripe-emulator] ${m}`));
  const store = new Store();
  const faults = new Faults();
  const webhooks = new WebhookDispatcher({
    url: opts.webhookUrl,
    secret: opts.webhookSecret,
    retryDelaysMs: opts.retryDelaysMs ?? [500, 2000, 5000],
    log,
  });
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  // publicUrl needs the port, known only after listen; the context reads it lazily.
  let publicUrl = opts.publicUrl ?? "";
  const ctx: ControlContext = {
    store,
    webhooks,
    faults,
    get publicUrl() {
      return publicUrl;
    },
    reset: () => {
      store.reset();
      webhooks.reset();
      faults.set("none");
    },
  } as ControlContext;
  const flowCtx: FlowContext = ctx;

  async function handleV1(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = newRequestId();
    const method = req.method ?? "GET";
    const headers: Record<string, string> = {
      "Request-Id": requestId,
      "Stripe-Version": String(req.headers["stripe-version"] ?? API_VERSION),
      "Access-Control-Allow-Origin": "*",
    };
    const raw = await readBody(req);
    const fault = faults.take();
    if (fault === "hang") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (fault === "error") {
      const err = new StripeError(
        500,
        "api_error",
        "An unknown error occurred (injected by the Stripe emulator fault control).",
      );
      sendJson(res, 500, err.toBody(requestId), headers);
      return;
    }
    const auth = authenticate(req, opts.secretKey);
    if (auth instanceof StripeError) {
      sendJson(res, auth.status, auth.toBody(requestId), { ...headers, "WWW-Authenticate": 'Basic realm="Stripe"' });
      return;
    }
    let params: FormObject;
    try {
      params = { ...parseForm(url.search.slice(1)), ...parseForm(raw) };
    } catch {
      params = {};
    }
    const idempotencyKey = method === "POST" ? ((req.headers["idempotency-key"] as string | undefined) ?? null) : null;
    const path = url.pathname;
    if (idempotencyKey) {
      if (idempotencyKey.length > 255) {
        const err = new StripeError(
          400,
          "invalid_request_error",
          "Idempotency-Key must be at most 255 characters long.",
        );
        sendJson(res, 400, err.toBody(requestId), headers);
        return;
      }
      const scoped = `${auth.key}\u0000${idempotencyKey}`;
      const previous = store.idempotency.get(scoped);
      const fingerprint = canonicalParams(params);
      if (previous) {
        if (previous.method !== method || previous.path !== path) {
          const err = new StripeError(
            400,
            "idempotency_error",
            `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${previous.method} ${previous.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          );
          sendJson(res, 400, err.toBody(requestId), headers);
          return;
        }
        if (previous.fingerprint !== fingerprint) {
          const err = new StripeError(
            400,
            "idempotency_error",
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          );
          sendJson(res, 400, err.toBody(requestId), headers);
          return;
        }
        sendJson(res, previous.status, previous.body, {
          ...headers,
          "Idempotency-Key": idempotencyKey,
          "Idempotent-Replayed": "true",
          "Original-Request": previous.requestId,
        });
        return;
      }
      const result = handleApi(flowCtx, { method, path, params, requestId, idempotencyKey });
      const body = JSON.stringify(result.body, null, 2);
      // Like Stripe, only results of requests that executed are saved (not validation errors or 5xx).
      if (result.status < 400) {
        store.idempotency.set(scoped, { method, path, fingerprint, status: result.status, body, requestId });
      }
      sendJson(res, result.status, body, { ...headers, "Idempotency-Key": idempotencyKey });
      return;
    }
    const result = handleApi(flowCtx, { method, path, params, requestId, idempotencyKey: null });
    sendJson(res, result.status, result.body, headers);
  }

  async function handleCheckoutPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const m = /^\/c\/pay\/([A-Za-z0-9_]+)(?:\/(pay|cancel))?$/.exec(url.pathname);
    if (!m) return notFound(res);
    const [, id, action] = m as unknown as [string, string, string | undefined];
    const session = store.get(id, "checkout.session");
    const method = req.method ?? "GET";
    if (session?.status !== "open") {
      sendHtml(res, session ? 200 : 404, renderClosedCheckoutPage(session));
      return;
    }
    const lineItems = store.sessionInternals.get(id)?.lineItems ?? [];
    if (!action && (method === "GET" || method === "HEAD")) {
      sendHtml(res, 200, renderCheckoutPage(session, lineItems));
      return;
    }
    if (method !== "POST" || !action) return notFound(res);
    const form = parseBody(req.headers["content-type"], await readBody(req));
    if (action === "cancel") {
      redirect(res, session.cancel_url ?? `/c/pay/${id}`);
      return;
    }
    const outcome = (["succeeded", "declined", "delayed"] as const).find((o) => o === form.outcome) ?? "succeeded";
    const email = typeof form.email === "string" && form.email ? form.email : undefined;
    try {
      completeCheckout(flowCtx, id, outcome, email);
    } catch (err) {
      if (err instanceof StripeError) {
        sendHtml(res, 400, renderCheckoutPage(session, lineItems, err.message));
        return;
      }
      throw err;
    }
    if (outcome === "declined") {
      sendHtml(res, 402, renderCheckoutPage(session, lineItems, "Your card was declined. Try another payment method."));
      return;
    }
    redirect(res, successRedirect(session));
  }

  async function handlePortalPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const m = /^\/p\/session\/([A-Za-z0-9_]+)(?:\/subscriptions\/([A-Za-z0-9_]+)\/cancel|\/payment_method)?$/.exec(
      url.pathname,
    );
    if (!m) return notFound(res);
    const [, id, subId] = m as unknown as [string, string, string | undefined];
    const session = store.get(id, "billing_portal.session");
    // A card-update flow session has its own page (recovery.ts).
    const flow = portalFlowAnswer(flowCtx, req.method ?? "GET", url.pathname);
    if (flow) {
      await readBody(req);
      if ("location" in flow) redirect(res, flow.location);
      else sendHtml(res, 200, flow.html);
      return;
    }
    if (!session) {
      sendHtml(res, 404, renderMissingPortalPage());
      return;
    }
    if (url.pathname.endsWith("/payment_method")) return notFound(res);
    const productName = (pid: string) => store.get(pid, "product")?.name ?? "Support";
    const subsOf = () => store.all("subscription").filter((s) => s.customer === session.customer);
    const method = req.method ?? "GET";
    if (!subId && (method === "GET" || method === "HEAD")) {
      const canceled = url.searchParams.get("canceled");
      sendHtml(
        res,
        200,
        renderPortalPage(session, subsOf(), productName, canceled ? "Your support has been canceled." : undefined),
      );
      return;
    }
    if (method !== "POST" || !subId) return notFound(res);
    await readBody(req);
    const sub = store.get(subId, "subscription");
    if (!sub || sub.customer !== session.customer) return notFound(res);
    if (sub.status !== "canceled") cancelSubscription(flowCtx, subId);
    redirect(res, `/p/session/${id}?canceled=${encodeURIComponent(subId)}`);
  }

  async function handleTest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let params: FormObject;
    try {
      params = { ...parseForm(url.search.slice(1)), ...parseBody(req.headers["content-type"], await readBody(req)) };
    } catch (err) {
      sendJson(
        res,
        400,
        new StripeError(400, "invalid_request_error", `Invalid body: ${(err as Error).message}`).toBody(),
      );
      return;
    }
    const wait = url.searchParams.get("wait") === "1" || url.searchParams.get("wait") === "true";
    delete params.wait;
    const result = await handleTestControl(ctx, req.method ?? "GET", url.pathname, params, wait);
    sendJson(res, result.status, result.body);
  }

  function notFound(res: ServerResponse): void {
    sendJson(res, 404, new StripeError(404, "invalid_request_error", "Not found").toBody());
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const path = url.pathname;
    let work: Promise<void>;
    if (path.startsWith("/v1/")) work = handleV1(req, res, url);
    else if (path.startsWith("/_test/")) work = handleTest(req, res, url);
    else if (path.startsWith("/c/pay/")) work = handleCheckoutPage(req, res, url);
    else if (path.startsWith("/p/session/")) work = handlePortalPage(req, res, url);
    else if (path === "/" && req.method === "GET") {
      sendJson(res, 200, { emulator: "stripe", api_version: API_VERSION, docs: "tools/stripe-emulator/README.md" });
      return;
    } else {
      notFound(res);
      return;
    }
    work.catch((err: unknown) => {
      log(`request failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) {
        sendJson(res, 500, new StripeError(500, "api_error", "Emulator internal error").toBody());
      } else res.destroy();
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 12111, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 12111);
  if (!publicUrl) publicUrl = `http://localhost:${port}`;
  publicUrl = publicUrl.replace(/\/+$/, "");
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.close();
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
