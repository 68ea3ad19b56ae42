// Stages the two npm packages of a release the napi-rs way (what `napi prepublish` does for a
// published package), for `npm pack`:
//   STAGE/svara/           the main package: bindings-node's `files` (JavaScript and types only,
//                          never a `.node`), with `optionalDependencies` on every platform package
//                          of bindings-node/npm/ at the same version;
//   STAGE/<platform>/      each platform package: bindings-node/npm/<platform>/ plus the addon
//                          built for it (ADDON_DIR/svara.<platform>.node).
// Both get Svara's licence files and LICENSES/ (the native code's licences); the platform
// package also THIRD-PARTY-CRATES.txt (the Rust crates compiled into the addon).
//
//   node scripts/lib/release-npm.mjs STAGE ADDON_DIR VERSION THIRD_PARTY_FILE
// Fails when a version disagrees with VERSION (the workspace version in Cargo.toml).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const [stage, addonDir, version, thirdParty] = process.argv.slice(2);
if (!stage || !addonDir || !version || !thirdParty) {
  console.error("usage: node release-npm.mjs STAGE ADDON_DIR VERSION THIRD_PARTY_FILE");
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const src = path.join(root, "bindings-node");
const readJson = (p) => JSON.parse(readFileSync(p, "utf8"));
const fail = (msg) => {
  console.error(`release-npm: ${msg}`);
  process.exit(1);
};
const LICENCES = ["LICENSE-MIT", "LICENSE-APACHE", "LICENSES"];
const copyLicences = (dir) => {
  for (const f of LICENCES) cpSync(path.join(root, f), path.join(dir, f), { recursive: true, dereference: true });
};

const main = readJson(path.join(src, "package.json"));
if (main.version !== version) fail(`bindings-node/package.json has version ${main.version}, the workspace ${version}`);

rmSync(stage, { recursive: true, force: true });
const platforms = readdirSync(path.join(src, "npm"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
if (platforms.length === 0) fail("no platform package template in bindings-node/npm/");

const optionalDependencies = {};
for (const platform of platforms) {
  const template = path.join(src, "npm", platform);
  const pkg = readJson(path.join(template, "package.json"));
  if (pkg.version !== version) fail(`${pkg.name} (bindings-node/npm/${platform}) has version ${pkg.version}, the workspace ${version}`);
  const addon = `${main.napi.binaryName}.${platform}.node`;
  if (pkg.main !== addon) fail(`${pkg.name}'s main is ${pkg.main}, expected ${addon}`);
  const built = path.join(addonDir, addon);
  if (!existsSync(built)) fail(`no ${built}: the addon for ${platform} was not built`);
  const out = path.join(stage, platform);
  mkdirSync(out, { recursive: true });
  cpSync(template, out, { recursive: true });
  cpSync(built, path.join(out, addon));
  copyLicences(out);
  cpSync(thirdParty, path.join(out, "THIRD-PARTY-CRATES.txt"));
  if (!pkg.files.includes("THIRD-PARTY-CRATES.txt")) {
    pkg.files.push("THIRD-PARTY-CRATES.txt");
    writeFileSync(path.join(out, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  }
  optionalDependencies[pkg.name] = version;
}

// The main package: `files` minus the addon (`*.node`) and napi's generated loader (lib/native.js
// finds the addon itself); package.json gains the optionalDependencies.
const out = path.join(stage, "svara");
mkdirSync(out, { recursive: true });
const files = main.files.filter((f) => !f.endsWith(".node") && !f.startsWith("native."));
for (const f of files) {
  const from = path.join(src, f);
  if (LICENCES.includes(f.replace(/\/$/, ""))) continue;
  if (!existsSync(from)) fail(`bindings-node/package.json lists ${f}, which does not exist`);
  cpSync(from, path.join(out, f), { recursive: true });
}
copyLicences(out);
const staged = { ...main, files: [...files.filter((f) => !LICENCES.includes(f.replace(/\/$/, ""))), ...LICENCES.map((f) => (f === "LICENSES" ? "LICENSES/" : f))], optionalDependencies };
delete staged.devDependencies;
delete staged.scripts;
writeFileSync(path.join(out, "package.json"), `${JSON.stringify(staged, null, 2)}\n`);
console.log(`staged svara ${version} (optionalDependencies: ${Object.keys(optionalDependencies).join(", ")}) and ${platforms.join(", ")} in ${stage}`);
