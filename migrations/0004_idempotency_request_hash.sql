-- Checkout's Idempotency-Key is bound to the request it first came with: the SHA-256 of the
-- normalised request is kept on the pledge it created, and a retry with another body is refused.
ALTER TABLE `pledges` ADD `request_hash` text;
