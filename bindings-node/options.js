'use strict'
// Checks the options of every call before anything reaches Rust, so a wrong type or a typo
// rejects with an InvalidRequestError that says how to fix the call (napi's own conversion
// errors would say "Failed to convert JavaScript value" and name Rust types).
//
// Keys are the documented request body's snake_case names, exactly. Values of secrets
// (`session.page_access_token`, `app_secret`) never appear in a message: only their type does.

const { fileURLToPath } = require('node:url')
const { invalidRequest } = require('./errors.js')

const TOKEN_ENV = 'META_PAGE_TOKEN'
const GRAPH_URL_ENV = 'SVARA_GRAPH_URL'

// key -> [kind, what it is]; kinds: string, url, path, bytes, int, number, bool, session.
const AUDIO_KEYS = {
  audio_url: ['url', 'an http(s) URL of the recording'],
  audio_path: ['path', 'a local file path (string or file: URL)'],
  audio: ['bytes', 'the recording as a Buffer or Uint8Array'],
}
const MESSAGE_KEYS = {
  platform: ['string', '"messenger"'],
  recipient: ['string', "the person's Page-Scoped ID (PSID), e.g. \"6128493027184956\""],
  ...AUDIO_KEYS,
  attachment_id: ['string', 'an attachment id returned by client.upload()'],
  messaging_type: ['string', '"RESPONSE", "UPDATE" or "MESSAGE_TAG"'],
  tag: ['string', 'a message tag such as "HUMAN_AGENT"'],
  notification_type: ['string', '"REGULAR", "SILENT_PUSH" or "NO_PUSH"'],
  bitrate: ['int', 'AAC bits per second, 8000 to 320000 (default 64000)'],
  keep_stereo: ['bool', 'true to keep stereo recordings stereo'],
  reusable: ['bool', 'true to ask Meta for a reusable attachment_id'],
}
const CLIENT_KEYS = {
  session: ['session', '{ page_access_token: "..." }'],
  graph_url: ['url', 'the Graph API base URL, e.g. "https://graph.facebook.com"'],
  api_version: ['string', 'a Graph version such as "v25.0"'],
  app_secret: ['secret', 'your Meta App secret, for appsecret_proof'],
  page_id: ['string', 'the numeric id of the Page'],
  timeout_ms: ['int', 'milliseconds, 1 to 3600000 (default 60000)'],
  timeout: ['number', 'seconds (or use timeout_ms)'],
  max_retries: ['int', 'automatic retries, 0 to 10 (default 2)'],
}
const SEND_KEYS = { ...MESSAGE_KEYS, ...CLIENT_KEYS }
const CLIENT_CTOR_KEYS = { page_access_token: ['secret', 'your Page access token'], ...CLIENT_KEYS }
const UPLOAD_KEYS = { ...AUDIO_KEYS, bitrate: MESSAGE_KEYS.bitrate, keep_stereo: MESSAGE_KEYS.keep_stereo }
const TRANSCODE_KEYS = {
  bitrate: MESSAGE_KEYS.bitrate,
  keep_stereo: MESSAGE_KEYS.keep_stereo,
  max_duration_ms: ['int', 'refuse recordings longer than this many milliseconds'],
}

function typeName(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (Buffer.isBuffer(v)) return 'a Buffer'
  if (v instanceof URL) return 'a URL'
  const t = typeof v
  return t === 'object' ? 'an object' : `a ${t}`
}

function snake(key) {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
  }
  return d[a.length][b.length]
}

function suggestion(key, known) {
  const s = snake(key)
  if (known.includes(s)) return s
  let best = null
  for (const k of known) {
    const dist = distance(s, k)
    if (dist <= 2 && (!best || dist < best[1])) best = [k, dist]
  }
  return best && best[0]
}

function requireObject(value, what, example) {
  if (value === undefined || value === null) {
    throw invalidRequest(`${what} needs an options object, e.g. ${example}.`)
  }
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw invalidRequest(`${what} takes an options object such as ${example}, not ${typeName(value)}.`)
  }
}

function checkKnown(options, schema, what, misplaced = {}) {
  const known = Object.keys(schema)
  for (const key of Object.keys(options)) {
    if (key in schema) continue
    if (key in misplaced) throw invalidRequest(misplaced[key])
    const s = suggestion(key, known)
    throw invalidRequest(
      `${what} got an unknown option "${key}"${s ? `; did you mean "${s}"?` : '.'} Valid options: ${known.join(', ')}.`,
    )
  }
}

/** Checks one value against its kind and returns the JSON-ready form (or bytes). */
function convert(key, value, [kind, what], label = key) {
  const bad = () => invalidRequest(`${label} must be ${what}, not ${typeName(value)}.`)
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') {
        if (key === 'recipient' && typeof value === 'number') {
          throw invalidRequest(
            `recipient must be a string: pass the PSID as text, e.g. recipient: "6128493027184956" (a number can lose digits).`,
          )
        }
        throw bad()
      }
      return value
    case 'secret':
      if (typeof value !== 'string') throw invalidRequest(`${label} must be a string (${what}), not ${typeName(value)}.`)
      return value
    case 'url':
      if (value instanceof URL) return value.href
      if (typeof value !== 'string') throw bad()
      return value
    case 'path':
      if (value instanceof URL) {
        if (value.protocol !== 'file:') {
          throw invalidRequest(`${label} takes a file path or a file: URL; pass an http(s) URL as audio_url instead.`)
        }
        return fileURLToPath(value)
      }
      if (typeof value !== 'string') throw bad()
      if (value.length === 0) throw invalidRequest(`${label} is empty; pass the path of an audio file.`)
      return value
    case 'bytes':
      if (Buffer.isBuffer(value)) return value
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      if (value instanceof ArrayBuffer) return Buffer.from(value)
      if (typeof value === 'string') {
        throw invalidRequest(
          `${label} must be ${what}, not a string; pass a path as audio_path or a URL as audio_url.`,
        )
      }
      throw bad()
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw invalidRequest(`${label} must be a whole number (${what}), not ${typeof value === 'number' ? value : typeName(value)}.`)
      }
      return value
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad()
      return value
    case 'bool':
      if (typeof value !== 'boolean') throw bad()
      return value
    case 'session': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw invalidRequest(`session must be an object like { page_access_token: "..." }, not ${typeName(value)}.`)
      }
      checkKnown(value, { page_access_token: null }, 'session')
      const token = value.page_access_token
      if (token === undefined || token === null) return {}
      return { page_access_token: convert('page_access_token', token, ['secret', 'your Page access token'], 'session.page_access_token') }
    }
    default:
      throw new Error(`svara: unknown option kind ${kind}`)
  }
}

/**
 * Checks `options` against `schema`; returns `{ body, audio, secrets }`: the JSON-ready body
 * (undefined/null dropped), the audio bytes (or undefined) and the secrets of the call.
 */
function build(options, schema, what, misplaced) {
  checkKnown(options, schema, what, misplaced)
  const body = {}
  let audio
  for (const [key, spec] of Object.entries(schema)) {
    const value = options[key]
    if (value === undefined || value === null) continue
    const v = convert(key, value, spec)
    if (spec[0] === 'bytes') audio = v
    else body[key] = v
  }
  return { body, audio }
}

function envValue(name) {
  const v = process.env[name]
  return typeof v === 'string' && v.trim() !== '' ? v : undefined
}

/** Applies META_PAGE_TOKEN and SVARA_GRAPH_URL where the call did not say; returns the secrets. */
function applyEnv(body) {
  const session = body.session || {}
  if (session.page_access_token === undefined && envValue(TOKEN_ENV) !== undefined) {
    session.page_access_token = envValue(TOKEN_ENV)
  }
  body.session = session
  if (body.graph_url === undefined && envValue(GRAPH_URL_ENV) !== undefined) {
    body.graph_url = envValue(GRAPH_URL_ENV)
  }
  return [session.page_access_token, body.app_secret].filter((s) => typeof s === 'string')
}

const SEND_EXAMPLE = '{ platform: "messenger", recipient, audio_url, session: { page_access_token } }'

/** `send(options)`: the documented body. */
function sendRequest(options) {
  requireObject(options, 'send()', SEND_EXAMPLE)
  const misplaced = {
    page_access_token: 'page_access_token goes inside session: pass session: { page_access_token: "..." } (or set META_PAGE_TOKEN).',
    recipients: 'send() takes one recipient; use new Client({...}).sendMany(recipients, { audio_url }) for many.',
  }
  const { body, audio } = build(options, SEND_KEYS, 'send()', misplaced)
  const secrets = applyEnv(body)
  return { json: JSON.stringify(body), audio, secrets }
}

/** `new Client(options)`: configuration only. */
function clientConfig(options) {
  if (options === undefined) options = {}
  requireObject(options, 'new Client()', '{ page_access_token, graph_url }')
  const { body } = build(options, CLIENT_CTOR_KEYS, 'new Client()', {
    recipient: 'recipient is given per send: new Client({ page_access_token }).send({ recipient, audio_url }).',
  })
  if (body.page_access_token !== undefined) {
    if (body.session && body.session.page_access_token !== undefined) {
      throw invalidRequest('Give the token once: either page_access_token or session.page_access_token.')
    }
    body.session = { page_access_token: body.page_access_token }
    delete body.page_access_token
  }
  const secrets = applyEnv(body)
  return { json: JSON.stringify(body), secrets }
}

function clientMisplaced(method) {
  const m = {}
  for (const key of Object.keys(CLIENT_CTOR_KEYS)) {
    m[key] = `${key} is a Client option: pass it to new Client({ ${key}, ... }), not to client.${method}().`
  }
  return m
}

/** `client.send(options)`: one recipient, one audio source, per-send options. */
function clientSendRequest(options) {
  requireObject(options, 'client.send()', '{ recipient, audio_url }')
  const { body, audio } = build(options, MESSAGE_KEYS, 'client.send()', clientMisplaced('send'))
  return { json: JSON.stringify(body), audio }
}

/** `client.upload(options)`: one audio source and conversion options. */
function uploadRequest(options) {
  requireObject(options, 'client.upload()', '{ audio_path }')
  const { body, audio } = build(options, UPLOAD_KEYS, 'client.upload()', clientMisplaced('upload'))
  return { json: JSON.stringify(body), audio }
}

/** `client.sendMany(recipients, options)` (or one object with `recipients`). */
function sendManyRequest(recipients, options) {
  if (!Array.isArray(recipients) && recipients && typeof recipients === 'object' && options === undefined) {
    const { recipients: list, ...rest } = recipients
    return sendManyRequest(list, rest)
  }
  if (!Array.isArray(recipients)) {
    throw invalidRequest(`client.sendMany() takes an array of PSID strings first, e.g. sendMany(["6128493027184956"], { audio_url }), not ${typeName(recipients)}.`)
  }
  recipients.forEach((r, i) => {
    if (typeof r !== 'string') {
      throw invalidRequest(`recipients[${i}] must be a PSID string, not ${typeName(r)}.`)
    }
  })
  requireObject(options, 'client.sendMany()', 'sendMany(recipients, { audio_url })')
  const { body, audio } = build(options, MESSAGE_KEYS, 'client.sendMany()', {
    ...clientMisplaced('sendMany'),
    recipient: 'sendMany() takes the recipients as its first argument, not a recipient option.',
  })
  return { recipients: [...recipients], json: JSON.stringify(body), audio }
}

/** `transcode(input, options)` / `probe(input)`: bytes or a path. */
function audioInput(input, what) {
  if (typeof input === 'string') {
    if (input.length === 0) throw invalidRequest(`${what} got an empty path; pass a Buffer or the path of an audio file.`)
    return input
  }
  if (input instanceof URL) return convert('input', input, ['path', ''], `${what} input`)
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return convert('input', input, ['bytes', ''], what)
  throw invalidRequest(`${what} takes a Buffer/Uint8Array of audio or a file path, not ${typeName(input)}.`)
}

function transcodeOptions(options) {
  if (options === undefined || options === null) return undefined
  requireObject(options, 'transcode()', '{ bitrate: 64000 }')
  const { body } = build(options, TRANSCODE_KEYS, 'transcode()')
  return JSON.stringify(body)
}

module.exports = {
  sendRequest,
  clientConfig,
  clientSendRequest,
  uploadRequest,
  sendManyRequest,
  audioInput,
  transcodeOptions,
  TOKEN_ENV,
  GRAPH_URL_ENV,
}
