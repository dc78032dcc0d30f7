import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { STRIPE_TIMEOUT_MS } from "../../worker/platform/stripe";
import { runScheduled } from "../../worker/scheduled";
import {
  checkoutBody,
  clearLedger,
  control,
  deliver,
  deliverAll,
  drain,
  EMULATOR,
  freshIp,
  ledgerSnapshot,
  postCheckout,
  startCheckout,
  summary,
} from "./helpers";

/**
 * Proof: Stripe failing or hanging in the middle of a checkout. The reader gets a
 * clear JSON 502 (never a hang, never a 5xx without a message), nothing is half-written — the
 * pledge is marked `error` with no session, no payment, no Stripe session left behind — and
 * a retry works all the way to money in the ledger, counted once. And Stripe failing while a
 * webhook asks it what an event names: the webhook still answers 200 (the event is stored first),
 * nothing is half-applied, and the Cron applies the event once Stripe answers again.
 */
type Pledge = { id: string; status: string; stripe_session_id: string | null };
const pledges = async () =>
  (await env.DB.prepare("SELECT id, status, stripe_session_id FROM pledges ORDER BY created_at, id").all<Pledge>())
    .results;
const sessionCount = async () =>
  (
    (await (
      await fetch(`${EMULATOR}/v1/checkout/sessions?limit=100`, { headers: { authorization: "Bearer sk_test_x" } })
    ).json()) as { data: unknown[] }
  ).data.length;

async function expectProviderError(response: Response) {
  expect(response.status).toBe(502);
  expect(response.headers.get("content-type")).toContain("application/json");
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe("payment_provider_unavailable");
  expect(error.message).toMatch(/try again/i);
}

beforeEach(async () => {
  await clearLedger();
  await control("/_test/reset");
  await drain();
});

describe("proof: Stripe failing or hanging mid-checkout", () => {
  for (const mode of ["error", "hang"] as const) {
    it(`${mode}: a clear 502, the pledge marked error with no session, and a retry reaches the ledger once`, async () => {
      await control("/_test/faults", { mode, count: 1 });
      const ip = freshIp();
      const started = Date.now();
      await expectProviderError(await postCheckout(checkoutBody({ amount: 4200 }), {}, ip));
      // A hang is cut off by the SDK timeout, well before a reader gives up.
      expect(Date.now() - started).toBeLessThan(STRIPE_TIMEOUT_MS + 2000);

      const [failed] = await pledges();
      expect(await pledges()).toEqual([{ id: failed?.id, status: "error", stripe_session_id: null }]);
      expect(await sessionCount()).toBe(0);
      expect((await ledgerSnapshot()).payments).toEqual([]);

      // The reader presses Continue again: a new pledge, a real session, and the money lands once.
      const retry = await startCheckout({ amount: 4200 });
      expect(retry.pledgeId).not.toBe(failed?.id);
      await control(`/_test/checkout/sessions/${retry.sessionId}/complete`, { outcome: "succeeded" });
      await deliverAll();
      expect(await pledges()).toEqual([
        { id: failed?.id, status: "error", stripe_session_id: null },
        { id: retry.pledgeId, status: "paid", stripe_session_id: retry.sessionId },
      ]);
      const s = await summary();
      // 4200 less Stripe's 2.9% + 30.
      expect(s.currencies).toEqual([
        expect.objectContaining({ currency: "USD", gross: 4200, stripeFees: 152, net: 4048, payments: 1 }),
      ]);
    }, 20_000);
  }

  it("an outage of several calls: every attempt fails cleanly, then the first call after it works", async () => {
    await control("/_test/faults", { mode: "error" });
    const attempts = await Promise.all(Array.from({ length: 5 }, () => postCheckout(checkoutBody())));
    for (const response of attempts) await expectProviderError(response);
    const during = await pledges();
    expect(during).toHaveLength(5);
    expect(during.every((p) => p.status === "error" && p.stripe_session_id === null)).toBe(true);

    await control("/_test/faults", { mode: "none" });
    const { pledgeId, sessionId } = await startCheckout();
    expect((await pledges()).find((p) => p.id === pledgeId)).toEqual({
      id: pledgeId,
      status: "pending",
      stripe_session_id: sessionId,
    });
    expect(await sessionCount()).toBe(1);
  });

  it("a retry with the same Idempotency-Key after a failure gets a working session for the same pledge", async () => {
    const key = `reader-retry-${Date.now()}`;
    await control("/_test/faults", { mode: "error", count: 1 });
    await expectProviderError(await postCheckout(checkoutBody(), { "idempotency-key": key }));
    const [failed] = await pledges();
    expect(failed).toMatchObject({ status: "error", stripe_session_id: null });

    const retry = await postCheckout(checkoutBody(), { "idempotency-key": key });
    expect(retry.status).toBe(201);
    const { id, url } = (await retry.json()) as { id: string; url: string };
    expect(id).toBe(failed?.id);
    const sessionId = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1];
    expect((await pledges())[0]?.stripe_session_id).toBe(sessionId);
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    expect((await pledges())[0]?.status).toBe("paid");
    expect((await summary()).currencies[0]).toMatchObject({ gross: 2500, payments: 1 });
  });

  it("Stripe failing while a webhook asks it for the payment's fee: answered 200, the event waits in the inbox with its error, the Cron applies it once", async () => {
    const { pledgeId, sessionId } = await startCheckout({ amount: 3100 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const completed = (await drain()).find((d) => d.type === "checkout.session.completed");
    if (!completed) throw new Error("no checkout.session.completed");
    const processed = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?")
          .bind(completed.event_id)
          .first<{ n: number }>()
      )?.n;
    const waiting = () =>
      env.DB.prepare("SELECT attempts, last_error, received_at, next_attempt_at FROM stripe_inbox WHERE event_id = ?")
        .bind(completed.event_id)
        .first<{ attempts: number; last_error: string | null; received_at: number; next_attempt_at: number }>();
    const status = async () =>
      (await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first<{ status: string }>())
        ?.status;

    // Stripe accepts the delivery's answer; the look-up after it fails.
    await control("/_test/faults", { mode: "error", count: 1 });
    const answered = await deliver(completed);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ received: true, duplicate: false });
    // Nothing half-applied: not processed, no payment, the pledge untouched; the event waits with its error.
    expect(await processed()).toBe(0);
    expect((await ledgerSnapshot()).payments).toEqual([]);
    expect(await status()).toBe("pending");
    const failed = await waiting();
    expect(failed).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/unknown error occurred/) });
    // The first retry after a minute (the backoff's first step), not at once.
    expect(failed?.next_attempt_at).toBeGreaterThanOrEqual(Date.now() + 50_000);
    expect(failed?.next_attempt_at).toBeLessThanOrEqual(Date.now() + 60_000);

    // A Cron run before then leaves it waiting; the one after applies it, fee and all, once.
    await runScheduled(env, Date.now());
    expect(await waiting()).toMatchObject({ attempts: 1 });
    expect(await processed()).toBe(0);
    await runScheduled(env, Date.now() + 2 * 60_000);
    expect(await waiting()).toBeNull();
    expect(await processed()).toBe(1);
    expect(await status()).toBe("paid");
    const applied = await summary();
    expect(applied.currencies).toEqual([
      expect.objectContaining({ currency: "USD", gross: 3100, stripeFees: 120, feesPending: 0, payments: 1 }),
    ]);

    // Stripe delivers the same event again (it may): a duplicate, nothing stored, nothing counted twice.
    const again = await deliver(completed);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(await waiting()).toBeNull();
    await runScheduled(env, Date.now() + 2 * 60 * 60_000);
    expect(await summary()).toEqual(applied);
    expect((await ledgerSnapshot()).payments).toHaveLength(1);
  });
});
