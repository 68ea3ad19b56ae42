'use strict'
// svara/webhooks: verify the signed webhooks of the Svara API server (`svara serve`). Pure
// JavaScript (node:crypto), no native code.
//
// Every event carries `Svara-Signature: t=UNIX_SECONDS,v1=HEX[,v1=HEX...]` (Stripe's scheme):
// each v1 is the lowercase hex HMAC-SHA256, keyed with the endpoint's secret (the whole
// `whsec_...` string), of `${t}.${rawBody}`; one v1 per live secret during a rotation.
// `Svara-Event-Id` is the same for every retry of one event: de-duplicate on it.
//
//   const { verifyWebhook } = require('svara')
//   app.post('/svara-webhook', express.raw({ type: 'application/json' }), (req, res) => {
//     const event = verifyWebhook(req.body, req.get('Svara-Signature'), process.env.SVARA_WEBHOOK_SECRET)
//     console.log(event.event, event.data.status)
//     res.sendStatus(200)
//   })
//
// The same scheme as svara::webhooks (Rust) and svara.webhooks (Python), checked against the
// shared tests/webhook_vectors.json.

const crypto = require('node:crypto')

/** The header carrying the signature. */
const SIGNATURE_HEADER = 'Svara-Signature'
/** The header carrying the event id. */
const EVENT_ID_HEADER = 'Svara-Event-Id'
/** Seconds a timestamp may be away from this machine's clock, by default. */
const DEFAULT_TOLERANCE = 300
/** The documented codes of WebhookVerificationError. */
const WEBHOOK_ERROR_CODES = Object.freeze([
  'missing_header',
  'invalid_header',
  'timestamp_out_of_tolerance',
  'invalid_signature',
])

const MESSAGES = {
  missing_header: 'No Svara-Signature header: pass the header of the request exactly as received.',
  invalid_header:
    'The Svara-Signature header is malformed (expected t=UNIX_SECONDS,v1=HEX): pass the header exactly as received.',
  invalid_signature:
    "No signature matches: check the endpoint's secret (whsec_...), and verify the raw request body, not a re-serialized copy of the parsed JSON.",
}

/** A webhook did not verify; `code` is one of WEBHOOK_ERROR_CODES. */
class WebhookVerificationError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'WebhookVerificationError'
    this.code = code
  }
}

function fail(code) {
  return new WebhookVerificationError(code, MESSAGES[code])
}

function toBuffer(payload) {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8')
  if (Buffer.isBuffer(payload)) return payload
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  if (payload instanceof ArrayBuffer) return Buffer.from(payload)
  throw new TypeError(
    'payload must be the raw request body (a Buffer or string), e.g. express.raw({ type: "application/json" }), not the parsed JSON',
  )
}

function checkSecret(secret) {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError("secret must be the endpoint's signing secret (a whsec_... string)")
  }
}

function mac(payload, secret, timestamp) {
  checkSecret(secret)
  return crypto
    .createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(toBuffer(payload))
    .digest()
}

/** The v1 signature of `payload` at `timestamp` (Unix seconds), lowercase hex. */
function signWebhook(payload, secret, timestamp) {
  return mac(payload, secret, Math.trunc(Number(timestamp))).toString('hex')
}

/** A Svara-Signature value for tests of your receiver (one v1 per secret). */
function generateTestHeader(payload, secret, timestamp) {
  const secrets = Array.isArray(secret) ? secret : [secret]
  const t = timestamp === undefined ? Math.floor(Date.now() / 1000) : Math.trunc(Number(timestamp))
  return `t=${t}` + secrets.map((s) => `,v1=${signWebhook(payload, s, t)}`).join('')
}

/** `{ timestamp, signatures }` of a header; throws WebhookVerificationError. */
function parseSignatureHeader(header) {
  if (header === undefined || header === null || String(header).trim() === '') throw fail('missing_header')
  let timestamp = null
  const signatures = []
  for (const part of String(header).split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const k = part.slice(0, eq).trim()
    const v = part.slice(eq + 1).trim()
    if (k === 't') {
      if (timestamp !== null || !/^[0-9]+$/.test(v)) throw fail('invalid_header')
      timestamp = Number(v)
      if (!Number.isSafeInteger(timestamp)) throw fail('invalid_header')
    } else if (k === 'v1') {
      signatures.push(v)
    }
  }
  if (timestamp === null || signatures.length === 0) throw fail('invalid_header')
  return { timestamp, signatures }
}

function matches(expected, given) {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(given)) return false
  const raw = Buffer.from(given, 'hex')
  return raw.length === expected.length && crypto.timingSafeEqual(raw, expected)
}

/**
 * Checks `header` against `payload` and `secret`; throws WebhookVerificationError on failure.
 * Options: `tolerance` (seconds, default 300, both directions) and `now` (Unix seconds, for tests).
 */
function verifyWebhookHeader(payload, header, secret, options = {}) {
  const tolerance = options.tolerance === undefined ? DEFAULT_TOLERANCE : Number(options.tolerance)
  if (!(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new TypeError('tolerance must be a positive number of seconds (default 300)')
  }
  const body = toBuffer(payload)
  checkSecret(secret)
  const { timestamp, signatures } = parseSignatureHeader(header)
  const now = options.now === undefined ? Date.now() / 1000 : Number(options.now)
  const skew = Math.abs(Math.trunc(now) - timestamp)
  if (skew > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `The webhook's timestamp is ${skew} s away from this machine's clock, beyond the tolerance of ${Math.trunc(tolerance)} s: it may be a replay (or this clock is wrong).`,
    )
  }
  const expected = mac(body, secret, timestamp)
  if (!signatures.some((s) => matches(expected, s))) throw fail('invalid_signature')
}

/**
 * Verifies a webhook and returns the parsed event
 * (`{ id: 'evt_...', event: 'voice_note.sent', created_at, data: {...} }`).
 * `payload` is the raw request body (Buffer or string), `header` the Svara-Signature value,
 * `secret` the endpoint's whsec_... secret. Throws WebhookVerificationError.
 */
function verifyWebhook(payload, header, secret, options = {}) {
  verifyWebhookHeader(payload, header, secret, options)
  return JSON.parse(toBuffer(payload).toString('utf8'))
}

module.exports = {
  verifyWebhook,
  verifyWebhookHeader,
  signWebhook,
  generateTestHeader,
  parseSignatureHeader,
  WebhookVerificationError,
  WEBHOOK_ERROR_CODES,
  SIGNATURE_HEADER,
  EVENT_ID_HEADER,
  DEFAULT_TOLERANCE,
}
