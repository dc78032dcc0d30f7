/**
 * Entry of the extras chunk (dist/public/widget/extras[.lang].js): the "Other" amount field
 * with its validation, the reminder form, the Turnstile check (turnstile.ts) and the
 * thank-you with its check of the return link (and its monthly offer), which a first ask
 * does not need up front. The chooser fetches it when the reader first reaches for the form (or
 * picks "Other", or presses Continue), the ask after "Remind me later", mount on the return from Stripe.
 * widget/build.mjs maps its imports of the view layer and of the ask's own parts (widget/shared-modules.json) to the copies the
 * ask bundle already carries (`__readerSupport.lib`), so the chunk holds just these pieces.
 */

import { checkAmount } from "./check-amount";
import { rsGlobal } from "./global";
import { OtherAmount } from "./OtherAmount";
import { Reminder } from "./Reminder";
import { confirmThanks, Thanks } from "./Thanks";
import { turnstileToken } from "./turnstile";

rsGlobal().extras = {
  Reminder,
  OtherAmount,
  checkAmount,
  turnstile: turnstileToken,
  Thanks,
  confirmThanks,
};
