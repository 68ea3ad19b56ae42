// CommonJS: require('svara') and require('svara/testing') work, and expose the same objects as
// the ESM entry (so instanceof holds across both).
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')

const svara = require('..')
const testing = require('../testing.js')

const codes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'error_codes.json'), 'utf8'))

test('require("svara") exposes send, Client, transcode, probe and every error class', () => {
  for (const name of ['send', 'transcode', 'probe', 'prepare']) assert.equal(typeof svara[name], 'function', name)
  assert.equal(typeof svara.Client, 'function')
  assert.equal(typeof testing.startEmulator, 'function')
  assert.deepEqual([...svara.ERROR_CODES].sort(), Object.keys(codes).sort())
  for (const code of Object.keys(codes)) {
    const cls = svara.errorClassFor(code)
    assert.notEqual(cls, svara.SvaraError, `a class for ${code}`)
    assert.equal(cls.code, code)
    const e = new cls('x')
    assert.ok(e instanceof svara.SvaraError && e instanceof Error)
    assert.equal(e.code, code)
    assert.equal(e.name, cls.name)
  }
})

test('ESM and CJS entries share one set of classes', async () => {
  const esm = await import('../index.mjs')
  assert.equal(esm.send, svara.send)
  assert.equal(esm.RateLimitedError, svara.RateLimitedError)
  assert.equal(esm.default, svara)
  const esmTesting = await import('../testing.mjs')
  assert.equal(esmTesting.startEmulator, testing.startEmulator)
})

test('the package exports map points at files that exist', () => {
  const pkg = require('../package.json')
  for (const entry of Object.values(pkg.exports)) {
    const targets = typeof entry === 'string' ? [entry] : Object.values(entry)
    for (const t of targets) assert.ok(fs.existsSync(path.join(__dirname, '..', t)), t)
  }
})
