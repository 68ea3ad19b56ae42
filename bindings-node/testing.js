'use strict'
// svara/testing: the Graph API emulator inside your Node process, for testing a bot without a
// Meta account. Every request goes over real HTTP to 127.0.0.1.
//
//   const { startEmulator } = require('svara/testing')
//   const emulator = await startEmulator()
//   await send({ recipient: emulator.psid, audio_path, session: { page_access_token: emulator.token }, graph_url: emulator.url })
//   emulator.deliveries(emulator.psid)  // what Meta would have received
//   await emulator.stop()
//
// The helpers carry the same names as Python's `svara.testing.Emulator` (token, psid,
// snapshot(), deliveries(psid), attempts(psid), audio(sha256), env(), reset()), and the
// defaults they pick (token, psid, the well-known values) come from the emulator crate.

const native = require('./lib/native.js')
const { errorFromNative, errorFromThrown, invalidRequest } = require('./lib/errors.js')

const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const WELL_KNOWN = native.emulatorDefaults()
/**
 * The emulator's well-known Pages, tokens and people (camelCase): `pageToken`, ...; the PSIDs
 * as `psid` (the default person), `psidSecond`, `psidOutsideWindow`, ..., and by role in `psids`
 * (the same roles as Python's `svara.testing.PSIDS`).
 */
const EMULATOR_DEFAULTS = Object.freeze({
  ...Object.fromEntries(Object.entries(WELL_KNOWN).filter(([k]) => k !== 'psids').map(([k, v]) => [camel(k), v])),
  ...Object.fromEntries(
    Object.entries(WELL_KNOWN.psids).map(([role, id]) => [role === 'default' ? 'psid' : camel(`psid_${role}`), id]),
  ),
  psids: Object.freeze({ ...WELL_KNOWN.psids }),
})

let warnedMessages = false

/** A running emulator. */
class Emulator {
  #native
  constructor(handle) {
    this.#native = handle
    /** Base URL to pass as `graph_url` (or SVARA_GRAPH_URL): `http://127.0.0.1:PORT`. */
    this.url = handle.url
    /** The scenario's default Page token (the first token of the first Page). */
    this.token = handle.token
    /** The scenario's default PSID: `defaults.psid` when configured, else the first. */
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
  deliveries(psid) {
    const out = this.#native.deliveries(psid === undefined ? null : String(psid))
    if (!out.ok) throw errorFromNative(out.error)
    return out.value
  }

  /** Deprecated name of `deliveries()` (Python's `messages()` meant the snapshot). */
  messages(psid) {
    if (!warnedMessages) {
      warnedMessages = true
      process.emitWarning('emulator.messages() is now emulator.deliveries()', 'DeprecationWarning')
    }
    return this.deliveries(psid)
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
