// svara/webhooks: the signature scheme of svara serve's webhooks, checked against the vectors the
// Rust and Python helpers check too (tests/webhook_vectors.json), so the three cannot drift.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import {
  verifyWebhook, verifyWebhookHeader, signWebhook, generateTestHeader, WebhookVerificationError,
  WEBHOOK_ERROR_CODES, SIGNATURE_HEADER, EVENT_ID_HEADER, DEFAULT_TOLERANCE,
} from '../webhooks.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const VECTORS = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'webhook_vectors.json'), 'utf8'))
const require = createRequire(import.meta.url)

test('constants and the CommonJS entry are the same module', () => {
  assert.equal(SIGNATURE_HEADER, 'Svara-Signature')
  assert.equal(EVENT_ID_HEADER, 'Svara-Event-Id')
  assert.equal(DEFAULT_TOLERANCE, 300)
  assert.deepEqual([...WEBHOOK_ERROR_CODES], VECTORS.error_codes)
  assert.equal(require('../webhooks.js').verifyWebhook, verifyWebhook)
  const pkg = require('../package.json')
  assert.equal(pkg.exports['./webhooks'].require, './webhooks.js')
  assert.ok(pkg.files.includes('webhooks.d.ts'))
})

test('signs like the vectors', () => {
  for (const c of VECTORS.signing) {
    assert.equal(signWebhook(c.payload, c.secret, c.timestamp), c.signature)
    assert.equal(signWebhook(Buffer.from(c.payload, 'utf8'), c.secret, c.timestamp), c.signature)
    if (c.header) assert.equal(generateTestHeader(c.payload, c.header_secrets, c.timestamp), c.header)
  }
})

for (const c of VECTORS.verify) {
  test(`verify: ${c.name}`, () => {
    const run = () => verifyWebhook(Buffer.from(c.payload, 'utf8'), c.header, c.secret, { tolerance: c.tolerance, now: c.now })
    if (!c.error) {
      assert.equal(run().event, 'voice_note.delivered')
      return
    }
    assert.throws(run, (e) => {
      assert.ok(e instanceof WebhookVerificationError)
      assert.equal(e.code, c.error)
      assert.ok(!e.message.includes(c.secret))
      return true
    })
  })
}

test('a wrong secret, a stale timestamp and an altered body fail; a fresh one passes', () => {
  const secret = 'whsec_nodeReceiverSecret'
  const body = '{"id":"evt_1","event":"voice_note.sent","created_at":"2026-03-14T12:00:00Z","data":{"status":"sent"}}'
  const header = generateTestHeader(body, secret)
  assert.equal(verifyWebhook(body, header, secret).data.status, 'sent')
  const codes = []
  for (const [p, h, s] of [
    [body, header, 'whsec_another'],
    [body.replace('sent', 'read'), header, secret],
    [body, generateTestHeader(body, secret, Math.floor(Date.now() / 1000) - 301), secret],
    [body, undefined, secret],
  ]) {
    try {
      verifyWebhookHeader(p, h, s)
      codes.push('ok')
    } catch (e) {
      codes.push(e.code)
    }
  }
  assert.deepEqual(codes, ['invalid_signature', 'invalid_signature', 'timestamp_out_of_tolerance', 'missing_header'])
})

test('a parsed body and a useless tolerance are refused with a hint', () => {
  assert.throws(() => verifyWebhook({ id: 'evt_1' }, 't=1,v1=00', 'whsec_x'), /raw request body/)
  assert.throws(() => verifyWebhook('{}', 't=1,v1=00', 'whsec_x', { tolerance: 0 }), /tolerance/)
})

test('webhooks.d.ts: a receiver type-checks under tsc --strict through both entries', () => {
  const { execFileSync } = require('node:child_process')
  const fs = require('node:fs')
  const os = require('node:os')
  const pkgDir = path.join(ROOT, 'bindings-node')
  const tsc = path.join(pkgDir, 'node_modules', 'typescript', 'bin', 'tsc')
  assert.ok(fs.existsSync(tsc), 'typescript is a devDependency: run `npm ci` in bindings-node')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svara-webhook-types-'))
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'))
    fs.symlinkSync(pkgDir, path.join(dir, 'node_modules', 'svara'), 'dir')
    const ok = [
      "import { verifyWebhook, type WebhookEvent } from 'svara'",
      "import { verifyWebhook as v2, generateTestHeader, WebhookVerificationError } from 'svara/webhooks'",
      "const body = Buffer.from('{}')",
      "const e: WebhookEvent = verifyWebhook(body, generateTestHeader(body, 'whsec_x'), 'whsec_x', { tolerance: 300 })",
      "const status: string = e.data.status",
      "try { v2('{}', undefined, 'whsec_x') } catch (err) { if (err instanceof WebhookVerificationError) { const c: 'invalid_signature' | 'missing_header' | 'invalid_header' | 'timestamp_out_of_tolerance' = err.code; console.log(c, status) } }",
    ].join('\n')
    const wrong = "import { verifyWebhook } from 'svara/webhooks'\nverifyWebhook({ parsed: true }, 't=1', 'whsec_x')\n"
    const run = (name, text) => {
      fs.writeFileSync(path.join(dir, name), text)
      try {
        execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
          '--typeRoots', path.join(pkgDir, 'node_modules', '@types'), '--types', 'node', name], { cwd: dir, encoding: 'utf8', stdio: 'pipe' })
        return ''
      } catch (err) {
        return `${err.stdout}${err.stderr}`
      }
    }
    assert.equal(run('ok.ts', ok), '')
    assert.match(run('wrong.ts', wrong), /error TS\d+.*parsed/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
