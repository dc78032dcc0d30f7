import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { type AppContext, demoPageEnabled } from "../platform/env";
import { jsonError } from "../platform/http";
import { demoPage, demoStyles } from "./page";

/**
 * `GET /demo`: a realistic article embedding the loader, for trying the reader journey. Served in
 * development, or when DEMO_PAGE = "on"; otherwise there is nothing at this address.
 * Its CSP is the one we recommend to publishers: no inline script or style anywhere.
 */
export const demoRoutes = new Hono<AppContext>()
  .use(async (c, next) => {
    if (!demoPageEnabled(c.env)) return jsonError(c, 404, "not_found", "There is nothing at this address.");
    await next();
  })
  .use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "strict-origin-when-cross-origin",
      crossOriginOpenerPolicy: false,
    }),
  )
  .get("/", (c) => c.html(demoPage()))
  .get("/style.css", (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=300");
    return c.body(demoStyles());
  });
