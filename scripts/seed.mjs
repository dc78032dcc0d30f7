#!/usr/bin/env node
/**
 * Fills the *local* D1 of `wrangler dev` with realistic demo data for the staff view (/admin):
 * pledges, payments, refunds, disputes, Stripe's balance transactions (fees) and the ask's
 * counters, across USD/EUR/GBP/JPY and
 * Once/Monthly/Annual over the last ~13 months. Used to try /admin and to measure it.
 *
 *   npm run seed -- --payments 1000000 [--site demo] [--persist .wrangler/state] [--seed 42]
 *
 * Run `npm start` (or `npx wrangler d1 migrations apply DB --local --env local`) once first so the
 * tables exist. It writes straight into miniflare's SQLite file with Node's built-in `node:sqlite`
 * in one transaction (a million payments take seconds, not the hours a million HTTP calls would).
 * It can run while `wrangler dev` is up (the file is in WAL mode). Seeded rows have ids starting
 * with `pl_seed` / `pi_seed` / `in_seed` / `re_seed` / `dp_seed` / `txn_seed`: running it again replaces them and
 * the site's ask counters for the seeded days; rows made through the emulator are kept.
 * The staff view's roll-ups (migrations/0002_admin.sql, 0004_ledger_truth.sql) are rebuilt from the
 * ledger at the end (triggers and secondary indexes are set aside during the load and put back).
 * It prints its progress; ten million payments take several minutes and about 8 GB of disk. Fees follow the emulator's card pricing (2.9% + 30; no fixed part in yen); the
 * last day's payments have no balance transaction yet, so their fees show as pending.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    payments: { type: "string", default: "100000" },
    site: { type: "string", default: "demo" },
    persist: { type: "string", default: process.env.PERSIST_DIR ?? ".wrangler/state" },
    seed: { type: "string", default: "42" },
    days: { type: "string", default: "395" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log("npm run seed -- --payments 1000000 [--site demo] [--persist .wrangler/state] [--seed 42] [--days 395]");
  process.exit(0);
}
const TARGET = Number(args.payments);
const DAYS = Number(args.days);
if (!Number.isSafeInteger(TARGET) || TARGET < 0) fail("--payments must be a whole number");
if (!Number.isSafeInteger(DAYS) || DAYS < 1) fail("--days must be a whole number ≥ 1");

function fail(message) {
  console.error(`seed: ${message}`);
  process.exit(1);
}

// node:sqlite is built into Node ≥ 22.13 (npm scripts run the project's Node 22).
const { DatabaseSync } = await import("node:sqlite").catch(() =>
  fail(`node:sqlite is missing in Node ${process.version}; run it as \`npm run seed\` (Node 22).`),
);

/** The D1 database file of the local `DB` binding (the newest one that has the ledger tables). */
function findDatabase(persist) {
  const dir = join(persist, "v3", "d1", "miniflare-D1DatabaseObject");
  if (!existsSync(dir))
    fail(
      `no local D1 under ${dir}. Run \`npm start\` (or \`npx wrangler d1 migrations apply DB --local --env local --persist-to ${persist}\`) first.`,
    );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of files) {
    const db = new DatabaseSync(file);
    const ok = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'payments'").get();
    if (ok) return { file, db };
    db.close();
  }
  fail(`no database in ${dir} has the ledger tables: apply the migrations first.`);
}

// Deterministic randomness, so two runs with the same --seed give the same books.
let state = Number(args.seed) >>> 0 || 1;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (items) => items[Math.floor(random() * items.length)];
/** Picks from [value, weight] pairs. */
function weighted(pairs) {
  let r = random() * pairs.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of pairs) {
    r -= w;
    if (r < 0) return value;
  }
  return pairs[pairs.length - 1][0];
}

const DAY = 86_400_000;
const now = Date.now();
const start = Math.floor((now - DAYS * DAY) / DAY) * DAY;

const CURRENCIES = [
  ["USD", 55],
  ["EUR", 20],
  ["GBP", 15],
  ["JPY", 10],
];
const PRESETS = {
  USD: { once: [1000, 2500, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
  EUR: { once: [1000, 2500, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
  GBP: { once: [1000, 2000, 5000, 10000], monthly: [400, 800, 1500], annual: [4000, 8000, 15000] },
  JPY: { once: [1000, 3000, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
};
const FEES = { USD: [290, 30], EUR: [290, 25], GBP: [290, 20], JPY: [360, 0] };
const CAMPAIGNS = [
  ["", "", 40],
  ["spring-appeal", "a", 12],
  ["spring-appeal", "b", 12],
  ["year-end", "a", 14],
  ["year-end", "b", 14],
  ["newsletter", "", 8],
];
const PAGES = [
  "council-votes-to-buy-ferry-terminal",
  "eastside-pumping-station-fails-again",
  "harbour-school-budget",
  "fishing-quota-explained",
  "marsh-lane-flooding",
  "sea-rescue-volunteers",
  "pilot-street-market",
  "ferry-timetable-changes",
];

const coverFee = (gift, [bps, fixed]) => Math.ceil(((gift + fixed) * 10_000) / (10_000 - bps)) - gift;
const addMonths = (t, n) => {
  const d = new Date(t);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.getTime();
};
/** Newer days are busier (a growing newsroom): density rises linearly to twice the first day's. */
const createdAt = () => start + Math.floor(((Math.sqrt(1 + 3 * random()) - 1) / 1) * (now - start - 60_000));

const { file, db } = findDatabase(args.persist);
const site = args.site;
const began = performance.now();
console.log(`seed: ${file}`);
console.log(`seed: ${TARGET.toLocaleString("en")} payments for site "${site}" over ${DAYS} days…`);

db.exec("PRAGMA busy_timeout = 30000");
db.exec("PRAGMA synchronous = OFF");
// 1 GB of page cache: the bulk load and the index builds stay in memory as far as they can.
db.exec("PRAGMA cache_size = -1048576");
db.exec("PRAGMA temp_store = MEMORY");
db.exec("BEGIN IMMEDIATE");
try {
  // Triggers (the staff view's exact roll-ups, and any other) are set aside while rows pour in,
  // then the roll-ups are rebuilt from the ledger in one pass and the triggers put back.
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all();
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);

  const removed = {
    pledges: db.prepare("DELETE FROM pledges WHERE id >= 'pl_seed' AND id < 'pl_seee'").run().changes,
    payments: db
      .prepare(
        "DELETE FROM payments WHERE (id >= 'pi_seed' AND id < 'pi_seee') OR (id >= 'in_seed' AND id < 'in_seee')",
      )
      .run().changes,
    refunds: db.prepare("DELETE FROM refunds WHERE id >= 're_seed' AND id < 're_seee'").run().changes,
    disputes: db.prepare("DELETE FROM disputes WHERE id >= 'dp_seed' AND id < 'dp_seee'").run().changes,
    balance: db.prepare("DELETE FROM balance_transactions WHERE id >= 'txn_seed' AND id < 'txn_seee'").run().changes,
    counts: db
      .prepare("DELETE FROM ask_event_counts WHERE site = ? AND day >= ?")
      .run(site, new Date(start).toISOString().slice(0, 10)).changes,
  };

  // Secondary indexes of the seeded tables are set aside too and built again after the load: one
  // sorted pass each instead of millions of random inserts into B-trees larger than the cache.
  const indexes = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('pledges', 'payments', 'refunds', 'disputes', 'balance_transactions')`,
    )
    .all();
  for (const i of indexes) db.exec(`DROP INDEX "${i.name}"`);

  const insertPledge = db.prepare(
    `INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, status_key, campaign, variant,
       page_url, email, stripe_session_id, stripe_customer_id, stripe_subscription_id, stripe_payment_intent_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPayment = db.prepare(
    `INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, fee_amount, payment_intent_id, paid_at, campaign, variant)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRefund = db.prepare(
    `INSERT INTO refunds (id, charge_id, payment_intent_id, currency, amount, status, status_key, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDispute = db.prepare(
    `INSERT INTO disputes (id, charge_id, payment_intent_id, currency, amount, status, phase, status_key, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBalance = db.prepare(
    `INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, reporting_category, currency, amount, fee, net, created)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  /** One balance transaction: amount, Stripe's fee and their net. */
  const balance = (id, use, source, intent, type, category, currency, amount, fee, at) =>
    insertBalance.run(id, use, source, intent, type, category, currency, amount, fee, amount - fee, at);
  const cardFee = (amount, currency) => Math.round(amount * 0.029) + (currency === "JPY" ? 0 : 30);
  const DISPUTE_FEE = 1500;
  const PHASE = { lost: "lost", won: "won", needs_response: "open", warning_closed: "inquiry_closed" };
  const STAGE = { warning_closed: 3, needs_response: 4, lost: 7, won: 10 };

  // A line every million payments (and at 10 % steps of smaller runs): ten million take minutes.
  const PROGRESS_EVERY = Math.max(10_000, Math.min(1_000_000, Math.round(TARGET / 10)));
  const progress = () => {
    const seconds = (performance.now() - began) / 1000;
    console.log(
      `seed: ${n.payments.toLocaleString("en")} of ${TARGET.toLocaleString("en")} payments (${Math.round((100 * n.payments) / TARGET)} %), ${seconds.toFixed(0)} s`,
    );
  };

  /** Checkouts started per day|campaign|variant, to derive the ask's funnel from. */
  const started = new Map();
  const n = { pledges: 0, payments: 0, refunds: 0, disputes: 0, balance: 0, counts: 0 };
  const byFrequency = { once: 0, monthly: 0, annual: 0 };
  const STATUS_RANK = { pending: 0, expired: 2, paid: 3, active: 3, past_due: 3, canceled: 4 };

  while (n.payments < TARGET) {
    const id = `pl_seed${(n.pledges++).toString(36).padStart(8, "0")}`;
    const frequency = weighted([
      ["once", 50],
      ["monthly", 42],
      ["annual", 8],
    ]);
    const currency = weighted(CURRENCIES);
    const gift = random() < 0.85 ? pick(PRESETS[currency][frequency]) : 100 * (3 + Math.floor(random() * 60));
    const fee = random() < 0.3 ? coverFee(gift, FEES[currency]) : 0;
    const [campaign, variant] = weighted(CAMPAIGNS.map(([c, v, w]) => [[c, v], w]));
    const created = createdAt();
    const day = new Date(created).toISOString().slice(0, 10);
    const key = `${day}|${campaign}|${variant}`;
    started.set(key, (started.get(key) ?? 0) + 1);
    const email = `reader${n.pledges}@example.net`;
    const page = `https://courier.example.org/news/${pick(PAGES)}`;
    const abandoned = random() < 0.22;

    let status = "pending";
    let updated = created;
    const paidTimes = [];
    if (abandoned) status = created < now - DAY ? "expired" : "pending";
    else if (frequency === "once") {
      status = "paid";
      paidTimes.push(created + 60_000);
    } else {
      status = "active";
      const step = frequency === "monthly" ? 1 : 12;
      for (let k = 0; ; k++) {
        const t = addMonths(created + 60_000, k * step);
        if (t > now) break;
        // Each renewal: 3 % of monthly supporters cancel, 1 % lapse to past_due (annual: 15 % cancel).
        if (k > 0 && random() < (frequency === "monthly" ? 0.03 : 0.15)) {
          status = "canceled";
          updated = t - Math.floor(random() * 10 * DAY);
          break;
        }
        if (k > 0 && random() < 0.01) {
          status = "past_due";
          updated = t;
          break;
        }
        paidTimes.push(t);
        updated = t;
      }
    }
    const sub = frequency === "once" || abandoned ? null : `sub_seed${n.pledges.toString(36)}`;
    const onceIntent = frequency === "once" && !abandoned ? `pi_seed${id.slice(7)}` : null;
    insertPledge.run(
      id,
      site,
      frequency,
      currency,
      gift,
      fee,
      status,
      STATUS_RANK[status] * 1e12 + Math.floor(updated / 1000) * 10,
      campaign || null,
      variant || null,
      page,
      abandoned && random() < 0.5 ? null : email,
      `cs_seed${id.slice(7)}`,
      abandoned ? null : `cus_seed${id.slice(7)}`,
      sub,
      onceIntent,
      created,
      updated,
    );
    for (let k = 0; k < paidTimes.length && n.payments < TARGET; k++) {
      const paidAt = paidTimes[k];
      const paymentId = frequency === "once" ? onceIntent : `in_seed${id.slice(7)}_${k}`;
      const intent = frequency === "once" ? onceIntent : `pi_seed${id.slice(7)}_${k}`;
      insertPayment.run(
        paymentId,
        id,
        site,
        frequency,
        currency,
        gift + fee,
        fee,
        intent,
        paidAt,
        campaign || null,
        variant || null,
      );
      n.payments++;
      byFrequency[frequency]++;
      if (n.payments % PROGRESS_EVERY === 0) progress();
      const charge = `ch_seed${paymentId.slice(7)}`;
      const suffix = paymentId.slice(7);
      const amount = gift + fee;
      // Stripe's balance transaction for the charge; the last day's are not settled yet (fees pending).
      if (paidAt < now - DAY) {
        balance(
          `txn_seed${suffix}`,
          "payment",
          charge,
          intent,
          "charge",
          "charge",
          currency,
          amount,
          cardFee(amount, currency),
          paidAt,
        );
        n.balance++;
      }
      const r = random();
      if (r < 0.012) {
        // Refunds: mostly whole, sometimes partial; a few are still pending, a few failed.
        const refunded = random() < 0.8 ? amount : Math.max(1, Math.floor(amount / 2));
        const status = weighted([
          ["succeeded", 90],
          ["pending", 6],
          ["failed", 4],
        ]);
        const at = paidAt + 3 * DAY;
        const rank = { pending: 2, succeeded: 3, failed: 4 }[status];
        insertRefund.run(
          `re_seed${suffix}`,
          charge,
          intent,
          currency,
          refunded,
          status,
          rank * 1e12 + Math.floor(at / 1000),
          at,
          at,
        );
        balance(
          `txn_seedr${suffix}`,
          "refund",
          `re_seed${suffix}`,
          intent,
          "refund",
          "refund",
          currency,
          -refunded,
          0,
          at,
        );
        if (status === "failed")
          balance(
            `txn_seedf${suffix}`,
            "refund",
            `re_seed${suffix}`,
            intent,
            "refund_failure",
            "refund_failure",
            currency,
            refunded,
            0,
            at + DAY,
          );
        n.refunds++;
      } else if (r < 0.0135) {
        const disputeStatus = weighted([
          ["lost", 5],
          ["won", 3],
          ["needs_response", 2],
          ["warning_closed", 1],
        ]);
        const at = paidAt + 9 * DAY;
        insertDispute.run(
          `dp_seed${suffix}`,
          charge,
          intent,
          currency,
          amount,
          disputeStatus,
          PHASE[disputeStatus],
          Math.floor(at / 1000) * 16 + STAGE[disputeStatus],
          paidAt + 2 * DAY,
          at,
        );
        // A chargeback withdraws the amount and a dispute fee; a win gives the amount back. Inquiries move nothing.
        if (disputeStatus !== "warning_closed") {
          balance(
            `txn_seedw${suffix}`,
            "dispute",
            `dp_seed${suffix}`,
            intent,
            "adjustment",
            "dispute",
            currency,
            -amount,
            DISPUTE_FEE,
            paidAt + 2 * DAY,
          );
          if (disputeStatus === "won")
            balance(
              `txn_seedv${suffix}`,
              "dispute",
              `dp_seed${suffix}`,
              intent,
              "adjustment",
              "dispute_reversal",
              currency,
              amount,
              0,
              at,
            );
        }
        n.disputes++;
      }
    }
  }

  // The ask's counters, consistent with the checkouts started: inline asks convert better than the banner.
  const upsertCount = db.prepare(
    `INSERT INTO ask_event_counts (day, site, placement, campaign, variant, type, count) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, day, placement, campaign, variant, type) DO UPDATE SET count = count + excluded.count`,
  );
  for (const [key, checkouts] of started) {
    const [day, campaign, variant] = key.split("|");
    for (const [placement, share, clickRate] of [
      ["inline", 0.7, 0.09],
      ["banner", 0.3, 0.05],
    ]) {
      const checkout = Math.round(checkouts * share);
      const lift = variant === "b" ? 1.15 : 1;
      const click = Math.round((checkout / 0.55) * (0.9 + 0.2 * random()));
      const view = Math.round((click / (clickRate * lift)) * (0.9 + 0.2 * random()));
      const impression = Math.round(view * (placement === "inline" ? 1.8 : 1.1));
      const counts = {
        impression,
        view,
        click,
        checkout,
        dismiss: Math.round(view * 0.12),
        snooze: Math.round(view * 0.03),
      };
      for (const [type, count] of Object.entries(counts)) {
        if (count === 0) continue;
        upsertCount.run(day, site, placement, campaign, variant, type, count);
        n.counts++;
      }
    }
  }

  console.log(`seed: building ${indexes.length} indexes again…`);
  for (const i of indexes) db.exec(i.sql);

  // Rebuild the staff view's roll-ups in one pass (the triggers were dropped for the bulk load).
  const hasRollups = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'admin_daily_money'")
    .get();
  if (hasRollups) {
    console.log("seed: rebuilding the staff view's roll-ups from the ledger…");
    db.exec(readFileSync(join("worker", "staff", "rollups-rebuild.sql"), "utf8"));
  }
  const rebuilt = Boolean(hasRollups);
  for (const t of triggers) db.exec(t.sql);
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");

  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  console.log(
    `seed: removed earlier seed rows: ${removed.pledges} pledges, ${removed.payments} payments, ${removed.refunds} refunds, ${removed.disputes} disputes, ${removed.balance} balance transactions, ${removed.counts} counters`,
  );
  console.log(
    `seed: wrote ${n.pledges.toLocaleString("en")} pledges, ${n.payments.toLocaleString("en")} payments (once ${byFrequency.once.toLocaleString("en")}, monthly ${byFrequency.monthly.toLocaleString("en")}, annual ${byFrequency.annual.toLocaleString("en")}), ${n.refunds} refunds, ${n.disputes} disputes, ${n.balance.toLocaleString("en")} balance transactions, ${n.counts} counter rows${rebuilt ? "; roll-ups rebuilt" : ""}`,
  );
  console.log(`seed: done in ${seconds} s. Open /admin and pick "All time".`);
} catch (error) {
  db.exec("ROLLBACK");
  throw error;
} finally {
  db.close();
}
