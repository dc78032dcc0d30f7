import type { Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import { hmacBase64Url, linkSecret, normalizeEmail, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { publicOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { publisherOf, renderSupporterMail, type StatementEntry, type StatementTotal } from "./email";
import { manageUrl } from "./links";
import { recentStatements, statementOf } from "./store";

/** At most this many statements per address and site a day. */
export const MAX_STATEMENTS_PER_DAY = 3;

/** The years a statement may be asked for: this one and the five before it. */
export function statementYears(now: number): number[] {
  const year = new Date(now).getUTCFullYear();
  return Array.from({ length: 6 }, (_, i) => year - i);
}

export type StatementOutcome = "sent" | "none" | "rate_limited" | "failed";

/** A statement's lines (payments and their refunds, oldest first) and its sums per currency. Pure. */
export function statementLines(
  paid: { id: string; at: number; frequency: StatementEntry["frequency"]; amount: number; currency: string }[],
  refunded: { id: string; at: number; frequency: StatementEntry["frequency"]; amount: number; currency: string }[],
): { entries: StatementEntry[]; totals: StatementTotal[] } {
  const entries: StatementEntry[] = [
    ...paid.map((p) => ({ ...p, type: "payment" as const, reference: p.id })),
    ...refunded.map((r) => ({ ...r, type: "refund" as const, reference: r.id })),
  ].sort((a, b) => a.at - b.at || a.reference.localeCompare(b.reference));
  const totals = new Map<string, StatementTotal>();
  for (const e of entries) {
    const t = totals.get(e.currency) ?? { currency: e.currency, payments: 0, paid: 0, refunded: 0 };
    if (e.type === "payment") {
      t.payments += 1;
      t.paid += e.amount;
    } else t.refunded += e.amount;
    totals.set(e.currency, t);
  }
  return {
    entries: entries.map(({ at, type, frequency, amount, currency, reference }) => ({
      at,
      type,
      frequency,
      amount,
      currency,
      reference,
    })),
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

/**
 * Emails an address its statement of a year's payments on a site, when it made any. The outcome is
 * for logs and tests only: whoever asks is always told the same thing.
 */
export async function requestStatement(
  env: WorkerEnv,
  input: { site: SiteConfig; email: string; year: number; lang: Language },
  now: number,
  transport: Transport = transportFor(env),
): Promise<StatementOutcome> {
  const db = database(env.DB);
  const origin = publicOrigin(env);
  const email = normalizeEmail(input.email);
  const site = input.site;
  // Hex of an HMAC: the outbox key names the address without holding it.
  const emailHash = await sha256Hex(await hmacBase64Url(linkSecret(env), `statement-email:${email}`));
  if ((await recentStatements(db, site.id, emailHash, now - 86_400_000)) >= MAX_STATEMENTS_PER_DAY)
    return "rate_limited";
  const { paid, refunded } = await statementOf(
    db,
    site.id,
    email,
    Date.UTC(input.year, 0, 1),
    Date.UTC(input.year + 1, 0, 1),
  );
  if (paid.length === 0) return "none";
  const { entries, totals } = statementLines(paid, refunded);
  const publisher = publisherOf(site, input.lang);
  const rendered = renderSupporterMail(
    { kind: "statement", year: input.year, entries, totals, manageUrl: manageUrl(origin, site.id, input.lang) },
    input.lang,
    publisher,
  );
  const outcome = await sendMail(
    db,
    transport,
    { kind: "statement", site: site.id, from: fromHeader(publisher.siteName, mailFrom(env)), to: email, ...rendered },
    `statement:${site.id}:${emailHash}:${input.year}:${now}:${crypto.randomUUID()}`,
    now,
  );
  if (outcome.status === "failed") console.error("statement: send failed", outcome.error);
  return outcome.status === "failed" ? "failed" : "sent";
}
