import Stripe from "stripe";

/**
 * The Stripe API version this worker is written for: the `stripe` package's own, the one place
 * it is named. Every API call asks for it; webhook endpoints are created with it
 * (`npm run stripe:setup`); events rendered at another version go through core/stripe-versions.ts.
 * A module of its own, with no other import, so Node scripts can read it too.
 */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;
