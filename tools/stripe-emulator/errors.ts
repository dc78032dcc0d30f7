/** Stripe error objects (`{"error": {type, message, param, code}}`) with their HTTP status. */

/** An API error the emulator answers with, shaped like Stripe's. */
export class StripeError extends Error {
  status: number;
  type: string;
  code: string | undefined;
  param: string | undefined;
  constructor(status: number, type: string, message: string, param?: string, code?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  /** The JSON body Stripe sends: `{ error: { ... } }`. */
  toBody(requestId?: string): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code) error.code = this.code;
    if (this.param) error.param = this.param;
    if (this.code) error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replaceAll("_", "-")}`;
    if (requestId) error.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
    return { error };
  }
}

/** 400 `parameter_missing`: "Missing required param: x." */
export function missingParam(param: string): StripeError {
  return new StripeError(400, "invalid_request_error", `Missing required param: ${param}.`, param, "parameter_missing");
}

/** 400 invalid_request_error for a bad value. */
export function invalidParam(param: string, message: string, code?: string): StripeError {
  return new StripeError(400, "invalid_request_error", message, param, code);
}

/** 400 `parameter_unknown`: "Received unknown parameter: x". */
export function unknownParam(param: string): StripeError {
  return new StripeError(
    400,
    "invalid_request_error",
    `Received unknown parameter: ${param}`,
    param,
    "parameter_unknown",
  );
}

/** 404 `resource_missing`: "No such checkout.session: 'cs_…'". */
export function noSuch(kind: string, id: string, param = "id"): StripeError {
  return new StripeError(404, "invalid_request_error", `No such ${kind}: '${id}'`, param, "resource_missing");
}

/** 404 for an unknown route. */
export function unrecognizedUrl(method: string, path: string): StripeError {
  return new StripeError(
    404,
    "invalid_request_error",
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

/** 400 invalid_request_error that is about state, not a parameter. */
export function badState(message: string, code?: string): StripeError {
  return new StripeError(400, "invalid_request_error", message, undefined, code);
}
