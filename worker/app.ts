import { Hono } from "hono";
import { mailAdminApi } from "./admin/mail-api";
import { admin, adminStatic } from "./admin/routes";
import type { AppContext } from "./env";
import { readerCors } from "./http/cors";
import { jsonError } from "./http/errors";
import { checkoutRoutes } from "./routes/checkout";
import { configRoutes } from "./routes/config";
import { demoRoutes } from "./routes/demo";
import { eventRoutes } from "./routes/events";
import { manageRoutes } from "./routes/manage";
import { reminderRoutes } from "./routes/reminders";
import { webhookRoutes } from "./routes/webhooks";

/** The whole HTTP surface. Static widget files are served by Workers Assets before this runs. */
export const app = new Hono<AppContext>()
  .use("/api/checkout", readerCors)
  .use("/api/reminders", readerCors)
  .route("/", configRoutes)
  .route("/", checkoutRoutes)
  .route("/", eventRoutes)
  .route("/", webhookRoutes)
  .route("/", demoRoutes)
  .route("/", reminderRoutes)
  .route("/", manageRoutes)
  .route("/admin/api", mailAdminApi)
  .route("/admin", admin)
  .route("/", adminStatic)
  .notFound((c) => jsonError(c, 404, "not_found", "There is nothing at this address."))
  .onError((error, c) => {
    console.error("unhandled", error);
    return jsonError(c, 500, "internal_error", "Something went wrong on our side.");
  });
