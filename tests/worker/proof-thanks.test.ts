import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { signThanksToken } from "../../worker/checkout/thanks";
import { call, clearLedger, control, deliverAll, drain, EMULATOR, freshIp, ORIGIN, startCheckout } from "./helpers";

/**
 * Proof: a thank-you (and the supporter memory it brings) needs a payment. The return link
 * carries a token only the worker can make; the worker confirms it once, and only for a
 * pledge that was paid (or is settling, for delayed methods).
 */

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;

const ask = (token: string, headers: Record<string, string> = {}) =>
  call("/api/thanks", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body: JSON.stringify({ site: "demo", token }),
    ip: freshIp(),
  });
const answer = async (token: string) => {
  const response = await ask(token);
  expect(response.status).toBe(200);
  return (await response.json()) as { supporter: boolean; frequency?: string };
};

/** The token in the session's return link, as the reader's browser receives it. */
async function returnToken(sessionId: string): Promise<string> {
  const response = await fetch(`${EMULATOR}/v1/checkout/sessions/${sessionId}`, {
    headers: { authorization: "Bearer sk_test_x" },
  });
  const session = (await response.json()) as { success_url: string };
  const token = new URL(session.success_url).searchParams.get("rs_pledge");
  if (!token) throw new Error("no token in the return link");
  return token;
}

/** A one-off gift ($25) is thanked with the offer to give monthly (a quarter of it, rounded: $6). */
const onceWithOffer = {
  supporter: true,
  frequency: "once",
  upsell: { amount: 600, currency: "USD", token: expect.stringMatching(/^pl_[0-9a-f]+\.\d{10}\.[\w-]{43}$/) },
};

beforeEach(async () => {
  await clearLedger();
  await drain();
  await env.DB.prepare("DELETE FROM thank_yous").run();
});

describe("proof: a thank-you only after a payment", () => {
  it("a paid monthly pledge: the worker confirms it once, with the pledge's own frequency", async () => {
    const { sessionId } = await startCheckout({ frequency: "monthly", amount: 1000 });
    const token = await returnToken(sessionId);
    // Not paid yet: nothing, and the link is not used up by asking.
    expect(await answer(token)).toEqual({ supporter: false });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    expect(await answer(token)).toEqual({ supporter: true, frequency: "monthly" });
    // The same link again (a reload, a shared link, another browser): nothing special.
    expect(await answer(token)).toEqual({ supporter: false });
  });

  it("back before Stripe's webhook: the worker asks Stripe, and the ledger is not touched", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "once" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    expect(await answer(await returnToken(sessionId))).toEqual(onceWithOffer);
    const pledge = await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first();
    expect(pledge).toEqual({ status: "pending" });
    await drain();
  });

  it("a delayed payment method (processing) is thanked; a declined card is not", async () => {
    const delayed = await startCheckout({ frequency: "once" });
    await control(`/_test/checkout/sessions/${delayed.sessionId}/complete`, { outcome: "delayed" });
    await deliverAll();
    expect(await answer(await returnToken(delayed.sessionId))).toEqual(onceWithOffer);
    const declined = await startCheckout({ frequency: "annual", amount: 5000 });
    await control(`/_test/checkout/sessions/${declined.sessionId}/complete`, { outcome: "declined" });
    await deliverAll();
    expect(await answer(await returnToken(declined.sessionId))).toEqual({ supporter: false });
  });

  it("a forged or altered link is refused before anything is looked up", async () => {
    const { pledgeId, sessionId } = await startCheckout();
    const genuine = await returnToken(sessionId);
    const other = `pl_${"a".repeat(24)}`;
    for (const token of [
      pledgeId, // the bare id, as the old links carried it
      `${pledgeId}.${"A".repeat(43)}`,
      `${other}.${genuine.split(".")[1]}`, // another pledge under this one's signature
      await signThanksToken("someone-elses-secret-0123456789", pledgeId),
      `${genuine}x`,
    ]) {
      const response = await ask(token);
      expect([400, 403], token).toContain(response.status);
    }
    const made = await ask(`${pledgeId}.${"A".repeat(43)}`);
    expect(((await made.json()) as { error: { code: string } }).error.code).toBe("invalid_token");
    // A genuine signature is not enough: the pledge behind it must exist and be paid.
    expect(await answer(await signThanksToken(SECRET, `pl_${"b".repeat(24)}`))).toEqual({ supporter: false });
    expect(await answer(genuine)).toEqual({ supporter: false });
  });

  it("only the site's own pages may ask", async () => {
    const { sessionId } = await startCheckout();
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    const token = await returnToken(sessionId);
    expect((await ask(token, { origin: "https://evil.example" })).status).toBe(403);
    // Refused asks did not use the link up.
    expect(await answer(token)).toEqual(onceWithOffer);
  });
});

describe("without a usable SESSION_SECRET (here: the example's, outside development)", () => {
  it("readers can still give; the return link carries no token, so no thank-you is claimed", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${ORIGIN}/api/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": freshIp() },
        body: JSON.stringify({
          site: "demo",
          frequency: "once",
          amount: 2500,
          currency: "USD",
          returnUrl: `${ORIGIN}/demo`,
        }),
      }),
      { ...env, SESSION_SECRET: "dev-session-secret-change-me-0123456789" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    const sessionId = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1];
    const session = (await (
      await fetch(`${EMULATOR}/v1/checkout/sessions/${sessionId}`, { headers: { authorization: "Bearer sk_test_x" } })
    ).json()) as { success_url: string };
    expect(session.success_url).toBe(`${ORIGIN}/demo?rs=thanks`);
    vi.restoreAllMocks();
  });
});
