import { Hono } from "hono";
import { demoPage } from "../demo/page";
import type { AppContext } from "../env";

/** `GET /demo`: a realistic article embedding the loader, for trying the reader journey locally. */
export const demoRoutes = new Hono<AppContext>().get("/demo", (c) => {
  // The demo page holds itself to the CSP we ask publishers to use: no inline script or style.
  c.header(
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' http://localhost:12111 http://127.0.0.1:12111",
  );
  return c.html(demoPage());
});
