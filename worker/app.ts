import { Hono } from "hono";
import { checkoutRoutes, thanksRoutes, upsellRoutes } from "./checkout/routes";
import { configRoutes } from "./config/routes";
import { demoRoutes } from "./demo/routes";
import { eventRoutes } from "./events/routes";
import { progressRoutes } from "./goals/routes";
import { webhookRoutes } from "./ledger/routes";
import { manageRoutes } from "./manage/routes";
import type { AppContext } from "./platform/env";
import { baselineHeaders } from "./platform/headers";
import { httpErrorResponse, notFound } from "./platform/http";
import { confirmRoutes, forgetRoutes, reminderRoutes } from "./reminders/routes";
import { liveSettings } from "./settings/live";
import { staff } from "./staff/routes";
import { cardRoutes, giveRoutes, statementRoutes } from "./supporter-mail/routes";
import { serveWidgetFile } from "./widget/files";

/**
 * The whole HTTP surface: one router per feature, mounted at its prefix. Every answer carries the
 * baseline security headers, and every request but the widget's files sees the sites' published
 * settings (at most half a minute old).
 */
export const app = new Hono<AppContext>()
  .use(baselineHeaders)
  // Before liveSettings: the built files answer without reading any settings.
  .get("/widget.js", serveWidgetFile)
  .get("/widget/:file", serveWidgetFile)
  .use(liveSettings)
  .route("/api/config", configRoutes)
  .route("/api/progress", progressRoutes)
  .route("/api/checkout", checkoutRoutes)
  .route("/api/thanks", thanksRoutes)
  .route("/api/upsell", upsellRoutes)
  .route("/api/events", eventRoutes)
  .route("/api/webhooks/stripe", webhookRoutes)
  .route("/api/reminders", reminderRoutes)
  .route("/r/confirm", confirmRoutes)
  .route("/r/forget", forgetRoutes)
  .route("/r/card", cardRoutes)
  .route("/r/give", giveRoutes)
  // Before /manage, whose routes would otherwise wrap it.
  .route("/manage/statement", statementRoutes)
  .route("/manage", manageRoutes)
  .route("/admin", staff)
  .route("/demo", demoRoutes)
  .notFound(notFound)
  .onError(httpErrorResponse);
