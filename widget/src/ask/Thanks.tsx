import type { Env } from "./env";
import { fillCopy } from "./env";

/** Shown in place of the ask after a successful checkout (`?rs=thanks`). */
export function Thanks({ env }: { env: Pick<Env, "copy" | "config" | "articles"> }) {
  return (
    <section class="box" aria-labelledby="rs-h" role="status">
      <h2 id="rs-h">{fillCopy(env.copy.thanksTitle, env)}</h2>
      <p>{fillCopy(env.copy.thanksBody, env)}</p>
    </section>
  );
}
