// index.d.ts and testing.d.ts describe the package: a typical program type-checks under
// `tsc --strict` with `import 'svara'` / `'svara/testing'` resolved through package.json
// exports, and a wrong one does not.
import test from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, symlinkSync, copyFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const tsc = path.join(pkgDir, 'node_modules', 'typescript', 'bin', 'tsc')

function check(file) {
  const dir = mkdtempSync(path.join(tmpdir(), 'svara-types-'))
  try {
    mkdirSync(path.join(dir, 'node_modules'))
    symlinkSync(pkgDir, path.join(dir, 'node_modules', 'svara'), 'dir')
    copyFileSync(path.join(pkgDir, '__test__', 'types', file), path.join(dir, file))
    const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--typeRoots', path.join(pkgDir, 'node_modules', '@types'), '--types', 'node', file]
    execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' })
    return ''
  } catch (e) {
    return `${e.stdout}${e.stderr}` || String(e)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a typical program type-checks', () => {
  assert.equal(check('usage.ts'), '')
})

test('wrong options are type errors', () => {
  const out = check('wrong.ts')
  assert.match(out, /error TS\d+/)
  assert.match(out, /wrong.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/)
})
