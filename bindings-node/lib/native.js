'use strict'
// Finds and loads the native addon. A published `svara` is JavaScript only: the compiled core
// comes in a platform package (`@svara/linux-x64-gnu`, ...) that npm installs from
// `optionalDependencies`, taking only the one that matches the machine (its `os`, `cpu` and
// `libc` fields). A source checkout instead has the addon `napi build --platform` wrote next to
// package.json. Looked for in this order:
//   1. SVARA_NATIVE_ADDON: an explicit path to a `.node` file (for debugging a build);
//   2. `svara.<platform>.node` in the package folder (from-source builds and `npm pack` of them);
//   3. the platform package `@svara/<platform>`.
// When none loads, the error names the platform package this machine needs, or says that there
// is none for this platform and how to build from source.

const fs = require('node:fs')
const path = require('node:path')

const PACKAGE_ROOT = path.join(__dirname, '..')
const BINARY_NAME = 'svara'
const SCOPE = '@svara'

/** `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`: napi-rs's names. */
function platformName(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function isMusl() {
  try {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    if (report && report.header) return !report.header.glibcVersionRuntime
  } catch {
    // fall through to the file check
  }
  try {
    return fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl')
  } catch {
    return false
  }
}

function readPackageJson(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  } catch {
    return {}
  }
}

function buildFromSourceHint() {
  return (
    'To build the addon from source, clone the repository and run `npm ci && npm run build` in ' +
    'bindings-node (needs Rust, cmake and a C compiler), then `npm install /path/to/bindings-node`.'
  )
}

function loadNative() {
  const ours = readPackageJson(PACKAGE_ROOT)
  const name = platformName()
  const pkg = `${SCOPE}/${name}`
  const tried = []
  const attempt = (label, load) => {
    try {
      return { value: load() }
    } catch (e) {
      tried.push(`${label}: ${e && e.message ? e.message.split('\n')[0] : e}`)
      return null
    }
  }

  const explicit = process.env.SVARA_NATIVE_ADDON
  if (explicit) {
    const got = attempt(`SVARA_NATIVE_ADDON=${explicit}`, () => require(path.resolve(explicit)))
    if (got) return got.value
  }

  const local = path.join(PACKAGE_ROOT, `${BINARY_NAME}.${name}.node`)
  if (fs.existsSync(local)) {
    const got = attempt(local, () => require(local))
    if (got) return got.value
  }

  let pkgDir = null
  try {
    pkgDir = path.dirname(require.resolve(`${pkg}/package.json`))
  } catch {
    tried.push(`${pkg}: not installed`)
  }
  if (pkgDir) {
    const theirs = readPackageJson(pkgDir)
    if (ours.version && theirs.version && ours.version !== theirs.version) {
      throw new Error(
        `svara ${ours.version} found ${pkg} ${theirs.version}: the two must be the same version. ` +
          `Reinstall them together: npm install svara@${ours.version} (npm installs the matching ${pkg}).`,
      )
    }
    const got = attempt(pkg, () => require(path.join(pkgDir, theirs.main || `${BINARY_NAME}.${name}.node`)))
    if (got) return got.value
  }

  const published = Object.keys(ours.optionalDependencies || {}).filter((d) => d.startsWith(`${SCOPE}/`))
  let message
  if (published.length > 0 && !published.includes(pkg)) {
    message =
      `svara has no prebuilt native addon for this platform (${name}, Node ${process.version}): ` +
      `the published platform packages are ${published.join(', ')}, and ${pkg} does not exist. ` +
      buildFromSourceHint()
  } else if (published.includes(pkg)) {
    message =
      `svara could not load its native addon: the platform package ${pkg} is missing or broken. ` +
      `npm installs it with svara as an optional dependency; it is skipped by \`--omit=optional\`, ` +
      `\`--no-optional\`, or a lockfile made on another platform (npm bug #4828). ` +
      `Install it explicitly: npm install ${pkg}@${ours.version || 'latest'}.`
  } else {
    message =
      `svara could not load its native addon for ${name}: this is a source checkout without a build ` +
      `(svara.${name}.node next to package.json) and no ${pkg} package. ` +
      buildFromSourceHint()
  }
  const err = new Error(`${message}\nTried:\n  ${tried.join('\n  ')}`)
  err.code = 'ERR_SVARA_NATIVE_ADDON_NOT_FOUND'
  err.platformPackage = pkg
  throw err
}

module.exports = loadNative()
