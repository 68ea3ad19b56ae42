'use strict'
// Svara for Node.js: `await send({ platform, recipient, audio_url, session: { page_access_token } })`.
//
// This file and lib/ are hand-written; `native.js` (the platform loader) and the `.node` addon
// are made by `napi build`. The flow of every call: lib/options.js checks the options by the
// core's field table and turns them into JSON -> the Rust core runs on napi's tokio runtime
// (the JS event loop keeps turning while audio converts) -> an outcome `{ok, value | error}` ->
// a result object, or a SvaraError subclass (lib/errors.js) thrown here.

const errors = require('./lib/errors.js')
const opts = require('./lib/options.js')
const native = require('./lib/native.js')

const { errorFromNative, errorFromThrown } = errors
const DEFAULTS = native.defaults()

/** Calls the addon; turns an outcome into its value or throws the SvaraError for it. */
async function call(secrets, fn) {
  let out
  try {
    out = await fn()
  } catch (e) {
    throw errorFromThrown(e, secrets)
  }
  if (!out.ok) throw errorFromNative(out.error, secrets)
  return out
}

/**
 * Sends one voice note. Options are the documented request body (snake_case), plus
 * `audio_path` / `audio` as alternatives to `audio_url` and the client options.
 * @returns {Promise<import('./index').SendResult>}
 */
async function send(options) {
  const req = opts.sendRequest(options)
  const out = await call(req.secrets, () => native.send(req.json, req.audio))
  return out.value
}

/**
 * Converts a recording (Buffer/Uint8Array or file path) to Messenger-ready M4A/AAC bytes.
 * M4A/AAC input is returned byte for byte.
 */
async function transcode(input, options) {
  const source = opts.audioInput(input, 'transcode()')
  const json = opts.transcodeOptions(options)
  const out = await call([], () => native.transcode(source, json))
  return out.data
}

/** Like `transcode`, but resolves to `{ data, converted, mime, file_name, input, output }`. */
async function prepare(input, options) {
  const source = opts.audioInput(input, 'prepare()')
  const json = opts.transcodeOptions(options)
  const out = await call([], () => native.transcode(source, json))
  return { data: out.data, ...out.value }
}

/** Describes a recording by its content: `{ container, codec, sample_rate, channels, duration_ms, size_bytes }`. */
async function probe(input) {
  const source = opts.audioInput(input, 'probe()')
  const out = await call([], () => native.probe(source))
  return out.value
}

/**
 * A client for one Page: holds the configuration and the connection pool. The token stays in
 * Rust (it is not a property of this object).
 */
class Client {
  #native
  #secrets
  #config

  /** @param {object} [options] `{ page_access_token, graph_url, api_version, app_secret, page_id, timeout_ms, max_retries, sends_per_second, concurrency, user_agent }` */
  constructor(options) {
    const cfg = opts.clientConfig(options)
    this.#secrets = cfg.secrets
    let out
    try {
      this.#native = new native.NativeClient()
      out = this.#native.configure(cfg.json)
    } catch (e) {
      throw errorFromThrown(e, cfg.secrets)
    }
    if (!out.ok) throw errorFromNative(out.error, cfg.secrets)
    this.#config = Object.freeze(out.value)
  }

  /** The public configuration in use (never the token or app secret). */
  get config() {
    return this.#config
  }

  /** True after `close()`. */
  get closed() {
    return this.#native.closed
  }

  /** Sends to one recipient: `{ recipient, audio_url | audio_path | audio | attachment_id, ... }`. */
  async send(options) {
    const req = opts.clientSendRequest(options)
    const out = await call(this.#secrets, () => this.#native.send(req.json, req.audio))
    return out.value
  }

  /** Uploads once as a reusable attachment: resolves to `{ attachment_id, converted, input, output }`. */
  async upload(options) {
    const req = opts.uploadRequest(options)
    const out = await call(this.#secrets, () => this.#native.upload(req.json, req.audio))
    return out.value
  }

  /**
   * Uploads once, then sends to every recipient. Resolves to one `{ recipient, ok, result }` or
   * `{ recipient, ok: false, error }` (a SvaraError, not thrown) per recipient, in order.
   */
  async sendMany(recipients, options) {
    const req = opts.sendManyRequest(recipients, options)
    const out = await call(this.#secrets, () => this.#native.sendMany(req.recipients, req.json, req.audio))
    return out.value.map((o) =>
      o.ok
        ? { recipient: o.recipient, ok: true, result: o.result }
        : { recipient: o.recipient, ok: false, error: errorFromNative(o.error, this.#secrets) },
    )
  }

  /** Releases the connection pool; later calls reject with InvalidRequestError. */
  async close() {
    this.#native.close()
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Client ${JSON.stringify({ ...this.#config, closed: this.closed })}`
  }

  toJSON() {
    return { ...this.#config, closed: this.closed }
  }
}
if (typeof Symbol.asyncDispose === 'symbol') {
  Client.prototype[Symbol.asyncDispose] = function dispose() {
    return this.close()
  }
}

module.exports = {
  send,
  Client,
  transcode,
  prepare,
  probe,
  /** The Graph base URL used when neither `graph_url` nor SVARA_GRAPH_URL is set. */
  DEFAULT_GRAPH_URL: DEFAULTS.graphUrl,
  /** The Graph version used when `api_version` is not set. */
  DEFAULT_API_VERSION: DEFAULTS.apiVersion,
  /** Messenger's attachment limit: 26,214,400 bytes. */
  MAX_AUDIO_BYTES: DEFAULTS.maxAudioBytes,
  /** The version of the Rust core in the addon. */
  CORE_VERSION: DEFAULTS.coreVersion,
  // SvaraError and one subclass per code: InvalidTokenError, RateLimitedError, ...
  ...Object.fromEntries(Object.entries(errors).filter(([name]) => name.endsWith('Error'))),
  ERROR_CODES: errors.ERROR_CODES,
  errorClassFor: errors.errorClassFor,
  verifyWebhook: require('./webhooks.js').verifyWebhook,
}
