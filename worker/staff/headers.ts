import { secureHeaders } from "hono/secure-headers";

/** Staff pages: our stylesheet, nothing inline, no scripts at all, no framing. */
const staffPolicy = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

export const staffHeaders = secureHeaders({
  contentSecurityPolicy: staffPolicy,
  xFrameOptions: "DENY",
  referrerPolicy: "same-origin",
});

/** A staff page that frames a preview of our own (the emails, the ask's settings): the same, plus frames from our origin. */
export const staffFramingHeaders = secureHeaders({
  contentSecurityPolicy: { ...staffPolicy, frameSrc: ["'self'"] },
  xFrameOptions: "DENY",
  referrerPolicy: "same-origin",
});
