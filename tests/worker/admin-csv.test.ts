import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { CSV_PAGE_SIZE } from "../../worker/staff/api";
import { majorUnits, textCell } from "../../worker/staff/csv";
import { dashboardPage } from "../../worker/staff/render/dashboard";
import { ADMIN, call, clearLedger, HOSTILE, HOSTILE_HTML } from "./helpers";

/** The payments export (streamed in pages, spreadsheet-safe, exact) and the dashboard page. */

const db = env.DB;

/** A small RFC 4180 parser (quoted cells, doubled quotes, CRLF), to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

async function exportCsv(query = "") {
  const response = await call(`/admin/api/payments.csv?site=demo${query}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="payments-demo-.*\.csv"$/);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A UTF-8 byte-order mark first, so Excel reads non-Latin text right.
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.slice(3)));
  return {
    header: header as string[],
    rows: rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i]]))),
  };
}

async function pledge(
  id: string,
  fields: Partial<Record<"campaign" | "variant" | "email" | "page_url" | "currency", string>> = {},
) {
  await db
    .prepare(
      "INSERT INTO pledges (id, site, frequency, currency, amount, status, campaign, variant, page_url, email, created_at, updated_at) VALUES (?, 'demo', 'once', ?, 1000, 'paid', ?, ?, ?, ?, 0, 0)",
    )
    .bind(
      id,
      fields.currency ?? "USD",
      fields.campaign ?? null,
      fields.variant ?? null,
      fields.page_url ?? null,
      fields.email ?? null,
    )
    .run();
}

beforeEach(async () => {
  await clearLedger();
});

describe("spreadsheet safety", () => {
  it("neutralises formulas and quotes properly (unit)", () => {
    expect(textCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(textCell("+1+1")).toBe("'+1+1");
    expect(textCell("-2+3")).toBe("'-2+3");
    expect(textCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(textCell("\tcmd")).toBe("'\tcmd");
    expect(textCell("\r=1")).toBe('"\'\r=1"');
    expect(textCell("a,b")).toBe('"a,b"');
    expect(textCell("line\nbreak")).toBe('"line\nbreak"');
    expect(textCell("plain")).toBe("plain");
    expect(textCell(null)).toBe("");
    expect(majorUnits(1050, "USD")).toBe("10.50");
    expect(majorUnits(5, "EUR")).toBe("0.05");
    expect(majorUnits(500, "JPY")).toBe("500");
    expect(majorUnits(-250, "GBP")).toBe("-2.50");
  });

  it("reader-supplied text reaches the export only neutralised", async () => {
    // Values the ask's own validation would refuse, written straight into the ledger: the export must not trust it.
    await pledge("pl_evil", {
      campaign: "=cmd|' /C calc'!A0",
      variant: "+SUM(1,2)",
      email: "@evil@example.org",
      page_url: '-https://courier.example.org/a,"b"',
    });
    await db
      .prepare(
        "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, fee_amount, payment_intent_id, paid_at, campaign, variant) VALUES ('pi_evil', 'pl_evil', 'demo', 'once', 'USD', 2550, 50, 'pi_evil', ?, ?, ?)",
      )
      .bind(Date.parse("2025-03-04T05:06:07Z"), "=cmd|' /C calc'!A0", "+SUM(1,2)")
      .run();
    await db
      .prepare(
        "INSERT INTO refunds (id, charge_id, payment_intent_id, currency, amount, status, status_key, created_at, updated_at) VALUES ('re_evil', 'ch_evil', 'pi_evil', 'USD', 550, 'succeeded', 0, 0, 0)",
      )
      .run();
    await db
      .prepare(
        "INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, currency, amount, fee, net, created) VALUES ('txn_evil', 'payment', 'ch_evil', 'pi_evil', 'charge', 'USD', 2550, 104, 2446, 0)",
      )
      .run();
    const { rows } = await exportCsv();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      paid_at: "2025-03-04T05:06:07.000Z",
      payment_id: "pi_evil",
      currency: "USD",
      amount: "25.50",
      fee_covered: "0.50",
      refunded: "5.50",
      stripe_fees: "1.04",
      net: "18.96",
      fee_status: "settled",
      settled_in: "USD",
      amount_minor: "2550",
      net_minor: "1896",
      campaign: "'=cmd|' /C calc'!A0",
      variant: "'+SUM(1,2)",
      email: "'@evil@example.org",
      page_url: '\'-https://courier.example.org/a,"b"',
    });
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("Stripe's fees in the export", () => {
  it("a payment whose fees are not known has no net (pending, never zero); a converted one says where it settled", async () => {
    await pledge("pl_fees");
    const at = Date.parse("2025-04-01T10:00:00Z");
    for (const [id, offset] of [
      ["pi_settled", 0],
      ["pi_pending", 1],
      ["pi_converted", 2],
    ] as const)
      await db
        .prepare(
          "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, payment_intent_id, paid_at) VALUES (?, 'pl_fees', 'demo', 'once', 'USD', 5000, ?, ?)",
        )
        .bind(id, id, at + offset)
        .run();
    const bt = (id: string, pi: string, use: string, currency: string, amount: number, fee: number) =>
      db
        .prepare(
          "INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, currency, amount, fee, net, created) VALUES (?, ?, 'src', ?, ?, ?, ?, ?, ?, 0)",
        )
        .bind(id, use, pi, use === "payment" ? "charge" : "adjustment", currency, amount, fee, amount - fee)
        .run();
    await bt("txn_s", "pi_settled", "payment", "USD", 5000, 175);
    await bt("txn_c", "pi_converted", "payment", "EUR", 4600, 163);
    // A lost dispute with its fee on the settled payment.
    await db
      .prepare(
        "INSERT INTO disputes (id, charge_id, payment_intent_id, currency, amount, status, phase, status_key, created_at, updated_at) VALUES ('dp_s', 'ch_s', 'pi_settled', 'USD', 5000, 'lost', 'lost', 0, 0, 0)",
      )
      .run();
    await bt("txn_d", "pi_settled", "dispute", "USD", -5000, 1500);
    const { rows } = await exportCsv("&from=2025-04-01&to=2025-04-01");
    const byId = Object.fromEntries(rows.map((r) => [r.payment_id, r]));
    expect(byId.pi_settled).toMatchObject({
      stripe_fees: "1.75",
      dispute_fees: "15.00",
      disputed_lost: "50.00",
      net: "-16.75",
      net_minor: "-1675",
      fee_status: "settled",
      dispute_status: "lost",
    });
    expect(byId.pi_pending).toMatchObject({
      stripe_fees: "",
      net: "",
      net_minor: "",
      fee_status: "pending",
      settled_in: "",
    });
    expect(byId.pi_converted).toMatchObject({ stripe_fees: "", net: "", fee_status: "converted", settled_in: "EUR" });
  });
});

describe("streaming", () => {
  it("pages through every payment of the range in order, none twice, none outside", async () => {
    await pledge("pl_many", { currency: "EUR" });
    const base = Date.parse("2025-01-01T00:00:00Z");
    const n = CSV_PAGE_SIZE * 2 + 137;
    const statements = Array.from({ length: n + 20 }, (_, i) =>
      db
        .prepare(
          "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, paid_at) VALUES (?, 'pl_many', 'demo', 'once', 'EUR', ?, ?)",
        )
        // Several payments share a millisecond, so the cursor must break ties by id; 20 fall after the range.
        .bind(
          `in_${String(i).padStart(5, "0")}`,
          100 + i,
          i < n ? base + Math.floor(i / 3) * 60_000 : Date.parse("2025-02-01T00:00:00Z") + i,
        ),
    );
    for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
    const { rows } = await exportCsv("&from=2025-01-01&to=2025-01-31");
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => r.payment_id)).toEqual(
      Array.from({ length: n }, (_, i) => `in_${String(i).padStart(5, "0")}`),
    );
    expect(rows.reduce((s, r) => s + Number(r.amount_minor), 0)).toBe(
      Array.from({ length: n }, (_, i) => 100 + i).reduce((a, b) => a + b, 0),
    );
  });

  it("refuses a bad range or an unknown site with a 4xx", async () => {
    expect(
      (await call("/admin/api/payments.csv?site=demo&from=2025-02-01&to=2025-01-01", { headers: ADMIN })).status,
    ).toBe(400);
    expect((await call("/admin/api/payments.csv?site=demo&from=2025-02-30", { headers: ADMIN })).status).toBe(400);
    expect((await call("/admin/api/payments.csv?site=nope", { headers: ADMIN })).status).toBe(404);
  });
});

describe("the dashboard page", () => {
  it("renders the figures, a chart per currency and masked emails", async () => {
    await pledge("pl_page", { email: "jane.reader@example.net", campaign: "spring", variant: "b" });
    await db
      .prepare(
        "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, payment_intent_id, paid_at) VALUES ('pi_page', 'pl_page', 'demo', 'once', 'USD', 1000, 'pi_page', ?)",
      )
      .bind(Date.now())
      .run();
    await db.prepare("UPDATE pledges SET created_at = ? WHERE id = 'pl_page'").bind(Date.now()).run();
    const page = await call("/admin?site=demo&range=7d", { headers: ADMIN });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<span data-figure="net">$10.00</span>');
    // Every figure says in one line what it is; a payment Stripe has not settled shows its fees as pending.
    const escaped = (text: string) => text.replaceAll("'", "&#39;").replace(/[.()?]/g, "\\$&");
    for (const [key, line] of [
      ["gross", "Everything readers paid, gift and fee cover together."],
      ["fees-covered", "The part of gross readers added so that you receive their whole gift."],
      ["stripe-fees", "Stripe's processing fees; it keeps them when a payment is refunded."],
      ["refunded", "Refunds sent or on their way; failed or canceled ones count nothing."],
      ["disputed", "Money readers' banks took back for good."],
      [
        "disputed-open",
        "Withdrawn by Stripe while a chargeback is decided; it comes back if you win. Inquiries withdraw nothing.",
      ],
      ["dispute-fees", "Stripe's fee for each chargeback, kept even when you win."],
    ] as const)
      expect(html).toMatch(new RegExp(`<dd data-figure="${key}">[^<]*</dd><dd class="why">${escaped(line)}</dd>`));
    expect(html).toContain('<p class="note" data-figure="fees-pending">Stripe has not settled 1 payment yet');
    expect(html).toContain("<summary>What the export's columns mean</summary>");
    expect(html).toContain("<dt><code>fee_status</code></dt>");
    expect(html).toContain("Never checked yet.");
    expect(html).toMatch(/<svg class="chart"[^>]*data-currency="USD"/);
    expect(html).toContain("j•••@example.net");
    expect(html).not.toContain("jane.reader");
    expect(html).not.toMatch(/<script|style=/);
    const css = await call("/admin/static/admin.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
  });

  it("writes reader-supplied text and configured names only escaped", async () => {
    // Values the ask's own validation would refuse, written straight into the ledger.
    await pledge("pl_hostile", { email: `r@${HOSTILE}`, campaign: HOSTILE, variant: HOSTILE, page_url: HOSTILE });
    await db
      .prepare(
        "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, payment_intent_id, paid_at, campaign, variant) VALUES ('pi_hostile', 'pl_hostile', 'demo', 'once', 'USD', 1000, 'pi_hostile', ?, ?, ?)",
      )
      .bind(Date.now(), HOSTILE, HOSTILE)
      .run();
    await db.prepare("UPDATE pledges SET created_at = ? WHERE id = 'pl_hostile'").bind(Date.now()).run();
    const page = await call("/admin?site=demo&range=7d", { headers: ADMIN });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<td class="l">${HOSTILE_HTML}</td>`);
    expect(html).toContain(`<td class="l">${HOSTILE_HTML} / ${HOSTILE_HTML}</td>`);
    expect(html).toContain(`<td class="l">r•••@${HOSTILE_HTML}</td>`);
    expect(html).toContain(`<table data-campaign="${HOSTILE_HTML}">`);
    expect(html).not.toMatch(/<script|<b>/);

    // Rendered directly: a site's configured name and a staff email from Cloudflare Access.
    const view = dashboardPage({
      sites: [{ id: "demo", name: HOSTILE }],
      site: { id: "demo", name: HOSTILE },
      range: { preset: "7d", from: null, to: null },
      data: {
        currencies: [],
        recurring: [],
        newRecurring: [],
        cancelled: [],
        daily: [],
        funnel: [],
        paid: [],
        paidByPlacement: [],
        recent: [],
        dataSpan: { first: null, last: null },
      },
      reconciliation: {
        latest: {
          startedAt: Date.parse("2026-11-10T04:17:00Z"),
          finishedAt: Date.parse("2026-11-10T04:17:09Z"),
          trigger: "cron",
          since: Date.parse("2026-11-07T04:17:00Z"),
          until: Date.parse("2026-11-10T04:17:00Z"),
          status: "differences",
          eventsSeen: 12,
          eventsReplayed: 2,
          chargesChecked: 5,
          differences: 1,
          error: null,
        },
        differences: [{ kind: "missing_payment", objectId: HOSTILE, currency: "USD", repaired: 0, detail: HOSTILE }],
      },
      staff: { via: "access", email: HOSTILE },
      accessLogout: true,
      now: Date.now(),
    });
    expect(view).toContain(
      "Last checked 2026-11-10 04:17 UTC by the daily check, from 2026-11-07 04:17 UTC: <strong>1 difference</strong>.",
    );
    expect(view).toContain(
      `<td class="l">Missing payment</td><td class="l">${HOSTILE_HTML}</td><td class="l">${HOSTILE_HTML}</td><td class="l">to look at</td>`,
    );
    expect(view).toContain(`<title>${HOSTILE_HTML} — Reader Support staff</title>`);
    expect(view).toContain(`<h1>${HOSTILE_HTML}</h1>`);
    expect(view).toContain(`<option value="demo" selected>${HOSTILE_HTML}</option>`);
    expect(view).toContain(`Signed in as <strong>${HOSTILE_HTML}</strong>`);
    expect(view).not.toMatch(/<script|<b>/);
  });
});
