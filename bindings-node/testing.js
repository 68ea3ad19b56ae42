'use strict'
// svara/testing: the Graph API emulator inside your Node process, for testing a bot without a
// Meta account. Every request goes over real HTTP to 127.0.0.1.
//
//   const { startEmulator } = require('svara/testing')
//   const emulator = await startEmulator()
//   await send({ recipient: emulator.psid, audio_path, session: { page_access_token: emulator.token }, graph_url: emulator.url })
//   emulator.messages()  // what Meta would have received
//   await emulator.stop()

const native = require('./native.js')
const { errorFromNative, errorFromThrown, invalidRequest } = require('./errors.js')

/** The emulator's well-known Pages, tokens and people (camelCase). */
const EMULATOR_DEFAULTS = Object.freeze(
  Object.fromEntries(
    Object.entries(native.emulatorDefaults()).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]),
  ),
)

/** A running emulator. */
class Emulator {
  #native
  constructor(handle) {
    this.#native = handle
    /** Base URL to pass as `graph_url` (or SVARA_GRAPH_URL): `http://127.0.0.1:PORT`. */
    this.url = handle.url
    /** A valid Page token of the scenario (the first one). */
    this.token = handle.token
    /** A PSID inside the 24-hour window (the scenario's first). */
    this.psid = handle.psid
    /** Every well-known token and PSID of the default scenario. */
    this.defaults = EMULATOR_DEFAULTS
  }

  /** Everything received, as `GET /__emulator/messages` returns it. */
  snapshot() {
    const out = this.#native.snapshot()
    if (!out.ok) throw errorFromNative(out.error)
    return out.value
  }

  /** Every accepted voice note, oldest first (optionally only those to one PSID). */
  messages(psid) {
    const snap = this.snapshot()
    const all = Object.values(snap.recipients || {})
      .flatMap((r) => r.messages || [])
      .sort((a, b) => a.received_at_ms - b.received_at_ms)
    return psid === undefined ? all : all.filter((m) => m.recipient_id === psid)
  }

  /** Send attempts the emulator saw for a PSID (retries included). */
  attempts(psid) {
    const r = (this.snapshot().recipients || {})[psid]
    return r ? r.attempts : 0
  }

  /** The M4A bytes of a received voice note (by its `sha256`), or null. */
  audio(sha256) {
    return this.#native.audio(String(sha256))
  }

  /** `{ META_PAGE_TOKEN, SVARA_GRAPH_URL }` for this emulator: spread it into a child's env. */
  env() {
    return { META_PAGE_TOKEN: this.token, SVARA_GRAPH_URL: this.url }
  }

  /**
   * Sets META_PAGE_TOKEN and SVARA_GRAPH_URL in `process.env` so code that reads them (your
   * bot) talks to this emulator; returns a function that restores the previous values.
   */
  useEnv() {
    const saved = {}
    for (const [k, v] of Object.entries(this.env())) {
      saved[k] = process.env[k]
      process.env[k] = v
    }
    return () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  }

  /** Forgets deliveries, attempts, attachments, rate-limit windows and fault counters. */
  reset() {
    this.#native.reset()
  }

  /** Stops the server. Safe to call twice. */
  async stop() {
    await this.#native.stop()
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Emulator { url: ${JSON.stringify(this.url)}, psid: ${JSON.stringify(this.psid)} }`
  }
}
if (typeof Symbol.asyncDispose === 'symbol') {
  Emulator.prototype[Symbol.asyncDispose] = function dispose() {
    return this.stop()
  }
}

/**
 * Starts an emulator on 127.0.0.1 and a free port.
 * @param {object} [options] a scenario (the emulator's config keys: `pages`, `psids`,
 *   `rate_limit`, `faults`, `audio`, `accept_any_psid`, ...), or `{ configFile: "scenario.toml" }`.
 */
async function startEmulator(options) {
  let json = null
  let file = null
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw invalidRequest('startEmulator() takes a scenario object (e.g. { rate_limit: { audio_sends_per_second: 1 } }) or { configFile }.')
    }
    const { configFile, ...scenario } = options
    if (configFile !== undefined) {
      if (typeof configFile !== 'string') throw invalidRequest('configFile must be the path of a .json or .toml scenario.')
      file = configFile
    }
    if (Object.keys(scenario).length > 0) json = JSON.stringify(scenario)
  }
  let handle
  try {
    handle = await native.startEmulator(json, file)
  } catch (e) {
    throw errorFromThrown(e)
  }
  return new Emulator(handle)
}

module.exports = { startEmulator, Emulator, EMULATOR_DEFAULTS }
