import { Hono } from "hono";
import type { AppContext } from "../platform/env";
import { demoPage, demoStyles } from "./page";

/** The CSP we recommend to publishers, applied to our own demo: no inline script or style anywhere. */
const DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";

/** `GET /demo`: a realistic article embedding the loader, for trying the reader journey locally. */
export const demoRoutes = new Hono<AppContext>()
  .get("/", (c) => {
    c.header("Content-Security-Policy", DEMO_CSP);
    return c.html(demoPage());
  })
  .get("/style.css", (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=300");
    return c.body(demoStyles());
  });
