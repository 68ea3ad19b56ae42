'use strict'
// Loads the native addon (`native.js` is the platform loader `napi build` writes next to the
// package root), with a message that says how to build it when it is missing.

function loadNative() {
  try {
    return require('../native.js')
  } catch (e) {
    const err = new Error(
      `The svara native addon could not be loaded (${e && e.message}). ` +
        'From a source checkout run `npm ci && npm run build` in bindings-node (needs Rust, cmake and a C compiler).',
    )
    err.cause = e
    throw err
  }
}

module.exports = loadNative()
