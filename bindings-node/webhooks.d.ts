// Types of `svara/webhooks` (also re-exported by `svara`): verify svara serve's signed webhooks.

/** What a receiver gets: the note's status object at the time of the event. */
export interface WebhookEvent {
  /** `evt_…`; the same for every retry (also in the `Svara-Event-Id` header). */
  id: string
  /** `voice_note.sent`, `voice_note.delivered`, `voice_note.read` or `voice_note.failed`. */
  event: 'voice_note.sent' | 'voice_note.delivered' | 'voice_note.read' | 'voice_note.failed' | string
  /** ISO 8601 UTC. */
  created_at: string
  /** The `GET /v1/status/{id}` object. */
  data: Record<string, unknown> & { id: string; status: string }
}

/** The raw request body. */
export type WebhookPayload = string | Buffer | Uint8Array | ArrayBuffer

export interface VerifyOptions {
  /** Seconds the timestamp may be from now, both directions (default 300). */
  tolerance?: number
  /** Unix seconds to check against instead of the clock (tests). */
  now?: number
}

/** A webhook did not verify. */
export declare class WebhookVerificationError extends Error {
  readonly code: 'missing_header' | 'invalid_header' | 'timestamp_out_of_tolerance' | 'invalid_signature'
}

/** Verifies a webhook and returns the parsed event; throws WebhookVerificationError. */
export declare function verifyWebhook(
  payload: WebhookPayload,
  header: string | null | undefined,
  secret: string,
  options?: VerifyOptions,
): WebhookEvent
/** Verifies without parsing; throws WebhookVerificationError. */
export declare function verifyWebhookHeader(
  payload: WebhookPayload,
  header: string | null | undefined,
  secret: string,
  options?: VerifyOptions,
): void
/** The v1 signature (lowercase hex) of `payload` at `timestamp` (Unix seconds). */
export declare function signWebhook(payload: WebhookPayload, secret: string, timestamp: number): string
/** A Svara-Signature value for tests of a receiver (one v1 per secret). */
export declare function generateTestHeader(payload: WebhookPayload, secret: string | readonly string[], timestamp?: number): string
/** The timestamp and v1 values of a header; throws WebhookVerificationError. */
export declare function parseSignatureHeader(header: string | null | undefined): { timestamp: number; signatures: string[] }
export declare const WEBHOOK_ERROR_CODES: readonly string[]
export declare const SIGNATURE_HEADER: 'Svara-Signature'
export declare const EVENT_ID_HEADER: 'Svara-Event-Id'
export declare const DEFAULT_TOLERANCE: number
