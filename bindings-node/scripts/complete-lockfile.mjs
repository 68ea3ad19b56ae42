// Completes package-lock.json with the other platforms' optional native packages (e.g.
// @napi-rs/lzma-darwin-x64) that npm could not record because the registry this lockfile was
// made against does not carry them. Each entry gets the os/cpu/libc its name says, so `npm ci`
// skips it on every other platform, exactly as with a lockfile made against the full registry.
//
//   node scripts/complete-lockfile.mjs   (run after `npm install` changes the lockfile)
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const OS = { android: "android", darwin: "darwin", freebsd: "freebsd", linux: "linux", win32: "win32" };
const CPU = { x64: "x64", arm64: "arm64", arm: "arm", ia32: "ia32", ppc64: "ppc64", riscv64: "riscv64", s390x: "s390x" };

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies || {})) {
    const where = `node_modules/${name}`;
    if (lock.packages[where] || lock.packages[`${key}/${where}`]) continue;
    const parts = name.split("/").pop().split("-");
    const entry = { version, optional: true };
    if (parts.includes("wasm32")) {
      entry.cpu = ["wasm32"];
    } else {
      const os = parts.find((p) => OS[p]);
      const cpu = parts.find((p) => CPU[p]);
      if (!os || !cpu) continue; // not a platform package: leave it to npm
      entry.os = [os];
      entry.cpu = [cpu];
      if (parts.includes("musl")) entry.libc = ["musl"];
      else if (parts.includes("gnu") || parts.includes("gnueabihf")) entry.libc = ["glibc"];
    }
    lock.packages[where] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
