/** D1 access for manage links and the supporter lookup behind them. */

/** At most this many link emails per address and site per hour (the per-address rate limit). */
export const MAX_REQUESTS_PER_HOUR = 3;
/** At most this many recurring supports (Stripe customers) are offered in one email. */
export const MAX_CUSTOMERS = 5;

export type RecurringSupport = {
  customerId: string;
  frequency: "monthly" | "annual";
  amount: number;
  currency: string;
  status: string;
};

/**
 * The reader's live recurring supports on a site, one per Stripe customer (Checkout makes a
 * customer per subscription). Matches the address given at checkout or entered in Stripe.
 */
export async function findRecurringSupports(db: D1Database, site: string, email: string): Promise<RecurringSupport[]> {
  const { results } = await db
    .prepare(
      `SELECT stripe_customer_id AS customerId, frequency, amount + fee_amount AS amount, currency, status
       FROM pledges
       WHERE site = ?1 AND lower(email) = ?2 AND frequency IN ('monthly', 'annual')
         AND status IN ('active', 'past_due') AND stripe_customer_id IS NOT NULL
       ORDER BY created_at DESC`,
    )
    .bind(site, email)
    .all<RecurringSupport>();
  const byCustomer = new Map<string, RecurringSupport>();
  for (const r of results) if (!byCustomer.has(r.customerId)) byCustomer.set(r.customerId, r);
  return [...byCustomer.values()].slice(0, MAX_CUSTOMERS);
}

/** How many link emails this address was sent for this site since `since`. */
export async function recentRequests(db: D1Database, site: string, emailHash: string, since: number): Promise<number> {
  const row = await db
    .prepare(
      "SELECT count(DISTINCT created_at) AS n FROM manage_links WHERE email_hash = ?1 AND site = ?2 AND created_at > ?3",
    )
    .bind(emailHash, site, since)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Stores the links of one email (all with the same `createdAt`), in one batch. */
export async function storeLinks(
  db: D1Database,
  links: { tokenHash: string; site: string; customerId: string; emailHash: string; returnUrl: string }[],
  createdAt: number,
  expiresAt: number,
): Promise<void> {
  await db.batch(
    links.map((l) =>
      db
        .prepare(
          `INSERT INTO manage_links (token_hash, site, customer_id, email_hash, return_url, created_at, expires_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
        )
        .bind(l.tokenHash, l.site, l.customerId, l.emailHash, l.returnUrl, createdAt, expiresAt),
    ),
  );
}

export type StoredLink = {
  site: string;
  customerId: string;
  returnUrl: string;
  usedAt: number | null;
  expiresAt: number;
};

/** A link by token hash, without using it. */
export async function findLink(db: D1Database, tokenHash: string): Promise<StoredLink | null> {
  return db
    .prepare(
      `SELECT site, customer_id AS customerId, return_url AS returnUrl, used_at AS usedAt, expires_at AS expiresAt
       FROM manage_links WHERE token_hash = ?`,
    )
    .bind(tokenHash)
    .first<StoredLink>();
}

/** Uses a link: one statement, so of two simultaneous clicks exactly one gets the row. */
export async function useLink(db: D1Database, tokenHash: string, now: number): Promise<StoredLink | null> {
  return db
    .prepare(
      `UPDATE manage_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2
       RETURNING site, customer_id AS customerId, return_url AS returnUrl, used_at AS usedAt, expires_at AS expiresAt`,
    )
    .bind(tokenHash, now)
    .first<StoredLink>();
}

/** Gives a used link back when Stripe could not open the portal, so the reader can try again. */
export async function unuseLink(db: D1Database, tokenHash: string, usedAt: number): Promise<void> {
  await db
    .prepare("UPDATE manage_links SET used_at = NULL WHERE token_hash = ?1 AND used_at = ?2")
    .bind(tokenHash, usedAt)
    .run();
}

/** Deletes links that expired more than a day ago (the rate limit only looks back an hour). */
export async function purgeLinks(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM manage_links WHERE expires_at < ?")
    .bind(now - 86_400_000)
    .run();
  return result.meta.changes ?? 0;
}
