import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { checkoutBody, ORIGIN } from "./helpers";

/** The worker with Turnstile configured (the shared test env has no Turnstile secret). */
async function checkoutWithTurnstile(body: Record<string, unknown>) {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`${ORIGIN}/api/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": "203.0.113.77" },
      body: JSON.stringify(body),
    }),
    { ...env, TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

describe("Turnstile on checkout", () => {
  it("when its secret is configured, a checkout without a token is refused and stores nothing", async () => {
    const response = await checkoutWithTurnstile(checkoutBody());
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("turnstile_failed");
    const pledges = await env.DB.prepare("SELECT count(*) AS n FROM pledges").first<{ n: number }>();
    expect(pledges?.n).toBe(0);
  });

  it("a token Siteverify cannot confirm is refused too", async () => {
    const response = await checkoutWithTurnstile(checkoutBody({ turnstileToken: "not-a-real-token" }));
    expect(response.status).toBe(403);
  });

  it("the site key reaches the widget through /api/config", async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${ORIGIN}/api/config?site=demo`),
      { ...env, TURNSTILE_SITE_KEY: "0x4AAA-site-key" },
      ctx,
    );
    expect(((await response.json()) as { turnstileSiteKey: string }).turnstileSiteKey).toBe("0x4AAA-site-key");
  });
});
