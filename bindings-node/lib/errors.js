'use strict'
// Svara's errors for JavaScript: one `SvaraError` base class and one subclass per code, so both
// `err instanceof RateLimitedError` and `err.code === 'rate_limited'` work. The codes are the
// core's strings (tests/error_codes.json), identical in Rust, Python and Node.
//
// The native addon resolves expected failures as data: the core's error wire shape ({code,
// message, hint, http_status, graph_code, ...}); `errorFromNative` builds the instance here, in
// JS, so every Graph detail survives (a napi rejection could only carry a message and a status).

const native = require('./native.js')

const REDACTED = '<redacted>'
/** The keys of the core's error wire shape (`serde_json::to_value(&svara::Error)`), in order. */
const WIRE_KEYS = native.errorShape()
/** The wire keys that become camelCase properties (`http_status` -> `httpStatus`, ...). */
const DETAIL_KEYS = WIRE_KEYS.filter((k) => !['code', 'message', 'hint'].includes(k))
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/**
 * Base class of every error Svara raises. Besides `code`, `message` and `hint` it has one
 * camelCase property per field of the core's error wire shape: `httpStatus`, `platform`,
 * `platformCode`, `platformMessage`, `graphCode`, `graphSubcode`, `graphType`, `graphMessage`, `fbtraceId`, `isTransient`, `retryAfter`
 * (seconds) and `mayHaveBeenDelivered`.
 */
class SvaraError extends Error {
  /**
   * @param {string} message what went wrong (never contains the Page token)
   * @param {object} [details] the wire fields, snake_case or camelCase
   */
  constructor(message, details = {}) {
    super(message)
    const d = details || {}
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
    /** The stable code, e.g. `rate_limited`. */
    this.code = d.code || new.target.code || 'api_error'
    /** What to do about it: one sentence, the same in every language. */
    this.hint = d.hint || native.errorHint(this.code) || null
    for (const key of DETAIL_KEYS) {
      const value = d[camel(key)] !== undefined ? d[camel(key)] : d[key]
      this[camel(key)] = value === undefined ? null : value
    }
    this.mayHaveBeenDelivered = Boolean(this.mayHaveBeenDelivered)
  }

  /** The error as plain data with the wire shape's snake_case keys (for logs and JSON). */
  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message, hint: this.hint }
    for (const key of DETAIL_KEYS) out[key] = this[camel(key)]
    return out
  }
}

/**
 * One class per code of the core (`native.errorCodes()`, documentation order), named after it:
 * `invalid_token` -> `InvalidTokenError`, `network_error` -> `NetworkError`. `static code` is the
 * core's string.
 */
const CLASSES = {}
/** The same classes by name. */
const BY_NAME = {}
for (const code of native.errorCodes()) {
  const pascal = code.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase())
  const name = pascal.endsWith('Error') ? pascal : `${pascal}Error`
  // A named class expression keeps `err.name` and stack traces readable.
  const cls = { [name]: class extends SvaraError {} }[name]
  Object.defineProperty(cls, 'code', { value: code, enumerable: true })
  CLASSES[code] = cls
  BY_NAME[name] = cls
}

/** Every code Svara raises, in documentation order. */
const ERROR_CODES = Object.freeze(Object.keys(CLASSES))

/** The class for a code (`SvaraError` itself for a code this version does not know). */
function errorClassFor(code) {
  return CLASSES[code] || SvaraError
}

/** Removes every secret of the call from a text (defence in depth: the core never puts them there). */
function redact(text, secrets) {
  if (typeof text !== 'string' || !secrets) return text
  let out = text
  for (const s of secrets) {
    if (typeof s === 'string' && s.length >= 4) out = out.split(s).join(REDACTED)
  }
  return out
}

/** Builds the error instance for the native error data `{code, message, hint, ...}`. */
function errorFromNative(data, secrets) {
  const d = data || {}
  const Cls = errorClassFor(d.code)
  const clean = {
    ...d,
    message: undefined,
    hint: redact(d.hint, secrets),
    graph_message: redact(d.graph_message, secrets),
    platform_message: redact(d.platform_message, secrets),
  }
  const err = new Cls(redact(String(d.message || 'Svara failed without a message.'), secrets), clean)
  if (!CLASSES[d.code]) err.code = d.code || 'api_error'
  return err
}

/** An `invalid_request` error with a fix-it message (thrown by the option checks). */
function invalidRequest(message) {
  return new CLASSES.invalid_request(message)
}

/**
 * Converts an exception thrown by the addon itself (a call it could not even start: a Rust
 * panic, a value napi could not convert) into a SvaraError, never leaking the call's secrets.
 */
function errorFromThrown(e, secrets) {
  if (e instanceof SvaraError) return e
  const raw = e && typeof e.message === 'string' ? e.message : String(e)
  const m = /^([a-z_]+): ([\s\S]*)$/.exec(raw)
  if (m && CLASSES[m[1]]) {
    return errorFromNative({ code: m[1], message: m[2] }, secrets)
  }
  if (/panic/i.test(raw)) {
    return errorFromNative(
      {
        code: 'api_error',
        message: `Svara's native code stopped unexpectedly (a bug in Svara: please report it): ${raw}. The voice note may or may not have been sent; check the thread before resending.`,
        may_have_been_delivered: true,
      },
      secrets,
    )
  }
  return errorFromNative({ code: 'invalid_request', message: `Svara could not take these arguments: ${raw}` }, secrets)
}

module.exports = {
  SvaraError,
  ...BY_NAME,
  ERROR_CODES,
  errorClassFor,
  errorFromNative,
  errorFromThrown,
  invalidRequest,
  redact,
}
