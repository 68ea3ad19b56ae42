'use strict'
// Svara's errors for JavaScript: one `SvaraError` base class and one subclass per code, so both
// `err instanceof RateLimitedError` and `err.code === 'rate_limited'` work. The codes are the
// core's strings (tests/error_codes.json), identical in Rust, Python and Node.
//
// The native addon resolves expected failures as data ({code, message, hint, graph_code, ...});
// `errorFromNative` builds the instance here, in JS, so every Graph detail survives (a napi
// rejection could only carry a message and a status).

const REDACTED = '<redacted>'

/** Base class of every error Svara raises. */
class SvaraError extends Error {
  /**
   * @param {string} message what went wrong (never contains the Page token)
   * @param {object} [details] the fields below, snake_case or camelCase
   */
  constructor(message, details = {}) {
    super(message)
    const d = details || {}
    const pick = (snake, camel) => (d[camel] !== undefined ? d[camel] : d[snake] !== undefined ? d[snake] : null)
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
    /** The stable code, e.g. `rate_limited`. */
    this.code = d.code || new.target.code || 'api_error'
    /** What to do about it: one sentence, the same in every language. */
    this.hint = d.hint || null
    /** HTTP status of the Graph response, when there was one. */
    this.httpStatus = pick('http_status', 'httpStatus')
    /** Meta's `error.code`. */
    this.graphCode = pick('graph_code', 'graphCode')
    /** Meta's `error.error_subcode`. */
    this.graphSubcode = pick('graph_subcode', 'graphSubcode')
    /** Meta's `error.type`, e.g. `OAuthException`. */
    this.graphType = pick('graph_type', 'graphType')
    /** Meta's `error.message`, as Meta wrote it. */
    this.graphMessage = pick('graph_message', 'graphMessage')
    /** Meta's `error.fbtrace_id`, to quote when reporting a problem to Meta. */
    this.fbtraceId = pick('fbtrace_id', 'fbtraceId')
    /** Meta's `error.is_transient`, when sent. */
    this.isTransient = pick('is_transient', 'isTransient')
    /** Seconds to wait before trying again, when known. */
    this.retryAfter = pick('retry_after', 'retryAfter')
    /** For `network_error`: the request had been sent, so the note may have arrived. */
    this.mayHaveBeenDelivered = Boolean(pick('may_have_been_delivered', 'mayHaveBeenDelivered'))
  }

  /** The error as plain data with the documented snake_case keys (for logs and JSON). */
  toJSON() {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      http_status: this.httpStatus,
      graph_code: this.graphCode,
      graph_subcode: this.graphSubcode,
      graph_type: this.graphType,
      fbtrace_id: this.fbtraceId,
      retry_after: this.retryAfter,
      may_have_been_delivered: this.mayHaveBeenDelivered,
    }
  }
}

/** One class per code; `static code` is the core's string. */
const CLASSES = {}
function define(name, code, doc) {
  // A named class expression keeps `err.name` and stack traces readable.
  const cls = { [name]: class extends SvaraError {} }[name]
  Object.defineProperty(cls, 'code', { value: code, enumerable: true })
  Object.defineProperty(cls, 'description', { value: doc, enumerable: false })
  CLASSES[code] = cls
  return cls
}

const InvalidTokenError = define('InvalidTokenError', 'invalid_token', 'The Page access token is invalid, expired or revoked.')
const RecipientNotFoundError = define('RecipientNotFoundError', 'recipient_not_found', 'No Messenger user matches the recipient id for this Page.')
const MessageNotAllowedError = define('MessageNotAllowedError', 'message_not_allowed', 'Meta refused delivery to this person (window closed, blocked, unavailable or restricted).')
const AudioTooLargeError = define('AudioTooLargeError', 'audio_too_large', "The audio is over Messenger's 25 MB limit.")
const AudioFetchFailedError = define('AudioFetchFailedError', 'audio_fetch_failed', 'The audio could not be obtained from the URL or path given.')
const RateLimitedError = define('RateLimitedError', 'rate_limited', "Meta's rate limit for this Page or app was reached.")
const UnsupportedAudioError = define('UnsupportedAudioError', 'unsupported_audio', 'The input is not audio Svara can decode.')
const InvalidRequestError = define('InvalidRequestError', 'invalid_request', 'The call itself is malformed.')
const PermissionDeniedError = define('PermissionDeniedError', 'permission_denied', 'The app may not message this person.')
const TemporaryFailureError = define('TemporaryFailureError', 'temporary_failure', 'Meta reported a temporary failure that persisted after retries.')
const NetworkError = define('NetworkError', 'network_error', 'The Graph API could not be reached or the connection failed.')
const ApiError = define('ApiError', 'api_error', 'Meta returned an error Svara has no specific code for.')

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
  const clean = { ...d, message: undefined, hint: redact(d.hint, secrets), graph_message: redact(d.graph_message, secrets) }
  const err = new Cls(redact(String(d.message || 'Svara failed without a message.'), secrets), clean)
  if (!CLASSES[d.code]) err.code = d.code || 'api_error'
  return err
}

/** An `invalid_request` error with a fix-it message (thrown by the option checks). */
function invalidRequest(message) {
  return new InvalidRequestError(message, { code: 'invalid_request', hint: "Fix the call as the message says; see the README's request reference." })
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
  InvalidTokenError,
  RecipientNotFoundError,
  MessageNotAllowedError,
  AudioTooLargeError,
  AudioFetchFailedError,
  RateLimitedError,
  UnsupportedAudioError,
  InvalidRequestError,
  PermissionDeniedError,
  TemporaryFailureError,
  NetworkError,
  ApiError,
  ERROR_CODES,
  errorClassFor,
  errorFromNative,
  errorFromThrown,
  invalidRequest,
  redact,
}
