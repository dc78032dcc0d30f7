import type { Env } from "./env";

/** Posts JSON to the API; resolves to the status and parsed body (null when not JSON). */
export async function postJson(
  env: Pick<Env, "origin" | "fetch">,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await env.fetch(`${env.origin}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
