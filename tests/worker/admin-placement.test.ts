import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { ADMIN, call, clearLedger, control, deliverAll, drain, startCheckout } from "./helpers";

beforeEach(async () => {
  await clearLedger();
  await drain();
});

describe("the funnel follows each placement to paid", () => {
  it("records where the reader met the ask and counts paid pledges per placement", async () => {
    const inline = await startCheckout({ frequency: "once", amount: 1500, placement: "inline" });
    const banner = await startCheckout({ frequency: "monthly", amount: 800, placement: "banner" });
    const unpaid = await startCheckout({ frequency: "once", amount: 900, placement: "banner" });
    expect(
      (await env.DB.prepare("SELECT placement FROM pledges WHERE id = ?").bind(unpaid.pledgeId).first())?.placement,
    ).toBe("banner");
    for (const s of [inline, banner])
      await control(`/_test/checkout/sessions/${s.sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    const today = new Date().toISOString().slice(0, 10);
    const response = await call(`/admin/api/dashboard?site=demo&range=custom&from=${today}&to=${today}`, {
      headers: ADMIN,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { paidByPlacement: { placement: string; paid: number }[] };
    expect(body.paidByPlacement.sort((a, b) => a.placement.localeCompare(b.placement))).toEqual([
      { placement: "banner", paid: 1 },
      { placement: "inline", paid: 1 },
    ]);
    const html = await (await call("/admin?site=demo&range=today", { headers: ADMIN })).text();
    expect(html).toContain("By placement");
    expect(html).toContain("Reminders by email");
  });

  it("refuses a placement that is not inline or banner", async () => {
    const response = await call("/api/checkout", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:8787" },
      body: JSON.stringify({
        site: "demo",
        frequency: "once",
        amount: 1000,
        currency: "USD",
        returnUrl: "http://localhost:8787/demo",
        placement: "popup",
      }),
    });
    expect(response.status).toBe(400);
  });
});
