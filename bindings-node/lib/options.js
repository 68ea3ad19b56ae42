'use strict'
// Checks the options of every call before anything reaches Rust, so a wrong type or a typo
// rejects with an InvalidRequestError that says how to fix the call (napi's own conversion
// errors would say "Failed to convert JavaScript value" and name Rust types).
//
// No field is spelled here: the names, their kinds, the calls that take them and the "did you
// mean" come from the core's field table (`native.fields()`, `native.suggest()`). This file
// only knows how JavaScript values map onto the kinds. The values' meaning (one audio source,
// ranges, a known platform) and the META_PAGE_TOKEN / SVARA_GRAPH_URL fallbacks are the core's.
// Values of secrets never appear in a message: only their type does.

const { fileURLToPath } = require('node:url')
const native = require('./native.js')
const { invalidRequest } = require('./errors.js')

const TABLE = native.fields()
const FIELDS = Object.fromEntries(TABLE.fields.map((f) => [f.name, f]))
/** The field names each operation takes: `send`, `client`, `client_send`, `upload`, `send_many`, `transcode`. */
const OPERATIONS = TABLE.operations
/** Every platform's session keys, by name: `{ name, secret, env, description }`. */
const SESSION_KEYS = Object.fromEntries(TABLE.session_keys.map((k) => [k.name, k]))
const SESSION_NAMES = Object.keys(SESSION_KEYS).join(', ')

/** The calls as a JS user writes them. */
const CALLS = {
  send: 'send()',
  client: 'new Client()',
  client_send: 'client.send()',
  upload: 'client.upload()',
  send_many: 'client.sendMany()',
  transcode: 'transcode()',
}
const CLIENT_METHODS = ['client_send', 'upload', 'send_many']

function typeName(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (Buffer.isBuffer(v)) return 'a Buffer'
  if (v instanceof URL) return 'a URL'
  const t = typeof v
  return t === 'object' ? 'an object' : `a ${t}`
}

function requireObject(value, what, example) {
  if (value === undefined || value === null) {
    throw invalidRequest(`${what} needs an options object, e.g. ${example}.`)
  }
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw invalidRequest(`${what} takes an options object such as ${example}, not ${typeName(value)}.`)
  }
}

/** Why `key` is refused by `op`: the call it belongs to, or the field it probably meant. */
function refusal(key, op) {
  const call = CALLS[op]
  const takers = Object.keys(OPERATIONS).filter((o) => OPERATIONS[o].includes(key))
  if (takers.length > 0) {
    if (op === 'send' && takers.includes('client') && !takers.includes('send')) {
      return `${key} goes inside session: pass session: { ${key}: "..." } (or set META_PAGE_TOKEN).`
    }
    if (CLIENT_METHODS.includes(op) && takers.includes('client')) {
      return `${key} is a Client option: pass it to new Client({ ${key}, ... }), not to ${call}.`
    }
    if (op === 'client' && takers.includes('client_send')) {
      return `${key} is given per send: new Client({ page_access_token }).send({ ${key}, audio_url }).`
    }
    if (op === 'send_many' && key === 'recipient') {
      return 'sendMany() takes the recipients as its first argument, not a recipient option.'
    }
    return `${key} is an option of ${takers.map((o) => CALLS[o]).join(' and ')}, not of ${call}.`
  }
  if (op === 'send' && key === 'recipients') {
    return 'send() takes one recipient; use new Client({...}).sendMany(recipients, { audio_url }) for many.'
  }
  const s = native.suggest(key, op)
  return `${call} got an unknown option "${key}"${s ? `; did you mean "${s}"?` : '.'} Valid options: ${OPERATIONS[op].join(', ')}.`
}

/** Checks one value against its field's kind and returns the JSON-ready form (or bytes). */
function convert(field, value, label = field.name) {
  const what = field.description
  const bad = () => invalidRequest(`${label} must be ${what}, not ${typeName(value)}.`)
  switch (field.kind) {
    case 'text':
    case 'choice':
      if (typeof value !== 'string') throw bad()
      return value
    case 'psid':
      if (typeof value === 'number') {
        throw invalidRequest(
          `${label} must be a string: pass the PSID as text, e.g. ${label}: "6128493027184956" (a number can lose digits).`,
        )
      }
      if (typeof value !== 'string') throw bad()
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
      throw invalidRequest(
        `${label} must be a Buffer, Uint8Array or ArrayBuffer (${what}), not ${typeName(value)}` +
          (typeof value === 'string' ? '; pass a path as audio_path or a URL as audio_url.' : '.'),
      )
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw invalidRequest(`${label} must be a whole number (${what}), not ${typeof value === 'number' ? value : typeName(value)}.`)
      }
      return value
    case 'seconds':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad()
      return value
    case 'flag':
      if (typeof value !== 'boolean') throw invalidRequest(`${label} must be true or false (${what}), not ${typeName(value)}.`)
      return value
    case 'session': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw invalidRequest(`session must be an object like { page_access_token: "..." } (keys: ${SESSION_NAMES}), not ${typeName(value)}.`)
      }
      const out = {}
      for (const key of Object.keys(value)) {
        const known = SESSION_KEYS[key]
        if (!known) {
          const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
          const s = SESSION_KEYS[snake] ? `; did you mean "${snake}"?` : '.'
          throw invalidRequest(`session got an unknown option "${key}"${s} Its options are ${SESSION_NAMES}.`)
        }
        const v = value[key]
        if (v === undefined || v === null) continue
        const label = `session.${key}`
        if (known.secret) {
          if (typeof v !== 'string') throw invalidRequest(`${label} must be a string (${known.description}), not ${typeName(v)}.`)
        } else if (typeof v !== 'string') {
          throw invalidRequest(`${label} must be a string (${known.description}), not ${typeName(v)}.`)
        }
        out[key] = v
      }
      return out
    }
    default:
      throw new Error(`svara: unknown field kind ${field.kind}`)
  }
}

/**
 * Checks `options` for operation `op`; returns `{ json, audio, secrets }`: the JSON body
 * (undefined/null dropped), the audio bytes (or undefined) and the secrets of the call (for
 * scrubbing messages once more; the core never puts them there).
 */
function build(op, options) {
  const body = {}
  let audio
  for (const key of Object.keys(options)) {
    if (!OPERATIONS[op].includes(key)) throw invalidRequest(refusal(key, op))
    const value = options[key]
    if (value === undefined || value === null) continue
    const v = convert(FIELDS[key], value)
    if (FIELDS[key].kind === 'bytes') audio = v
    else body[key] = v
  }
  const session = body.session || {}
  const secrets = [body.page_access_token, body.app_secret]
  for (const k of Object.values(SESSION_KEYS)) {
    if (k.secret) secrets.push(session[k.name])
    if (k.env) secrets.push(process.env[k.env])
  }
  return { json: JSON.stringify(body), audio, secrets: secrets.filter((s) => typeof s === 'string') }
}

const SEND_EXAMPLE = '{ platform: "messenger", recipient, audio_url, session: { page_access_token } }'

/** `send(options)`: the documented body. */
function sendRequest(options) {
  requireObject(options, 'send()', SEND_EXAMPLE)
  return build('send', options)
}

/** `new Client(options)`: configuration only. */
function clientConfig(options) {
  if (options === undefined) options = {}
  requireObject(options, 'new Client()', '{ page_access_token, graph_url }')
  return build('client', options)
}

/** `client.send(options)`: one recipient, one audio source, per-send options. */
function clientSendRequest(options) {
  requireObject(options, 'client.send()', '{ recipient, audio_url }')
  return build('client_send', options)
}

/** `client.upload(options)`: one audio source and conversion options. */
function uploadRequest(options) {
  requireObject(options, 'client.upload()', '{ audio_path }')
  return build('upload', options)
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
    if (typeof r !== 'string') throw invalidRequest(`recipients[${i}] must be a PSID string, not ${typeName(r)}.`)
  })
  requireObject(options, 'client.sendMany()', 'sendMany(recipients, { audio_url })')
  return { recipients: [...recipients], ...build('send_many', options) }
}

/** `transcode(input, options)` / `probe(input)`: bytes or a path. */
function audioInput(input, what) {
  if (typeof input === 'string') {
    if (input.length === 0) throw invalidRequest(`${what} got an empty path; pass a Buffer or the path of an audio file.`)
    return input
  }
  const asInput = { name: 'input', kind: input instanceof URL ? 'path' : 'bytes', description: 'a Buffer/Uint8Array of audio or a file path' }
  if (input instanceof URL || input instanceof Uint8Array || input instanceof ArrayBuffer) return convert(asInput, input, `${what} input`)
  throw invalidRequest(`${what} takes a Buffer/Uint8Array of audio or a file path, not ${typeName(input)}.`)
}

function transcodeOptions(options) {
  if (options === undefined || options === null) return undefined
  requireObject(options, 'transcode()', '{ bitrate: 64000 }')
  return build('transcode', options).json
}

module.exports = {
  sendRequest,
  clientConfig,
  clientSendRequest,
  uploadRequest,
  sendManyRequest,
  audioInput,
  transcodeOptions,
  FIELDS,
  OPERATIONS,
}
