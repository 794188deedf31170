// `npm pack` / `npm publish` (prepack): writes npm-shrinkwrap.json, the production part of package-lock.json,
// so that an install of the package gets the dependency tree CI tested (npm honours a published package's
// shrinkwrap; a package-lock.json is never shipped). That tree is also what keeps Node 20 free of EBADENGINE:
// the overrides in package.json apply to our own installs only. postpack removes the file again: in the
// repository, npm would otherwise take it for the lockfile.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const FILE = new URL('../npm-shrinkwrap.json', import.meta.url);

if (process.argv[2] === '--remove') {
  rmSync(FILE, { force: true });
} else {
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
  const packages = Object.fromEntries(
    Object.entries(lock.packages).filter(([path, entry]) => path === '' || !entry.dev),
  );
  writeFileSync(FILE, `${JSON.stringify({ ...lock, packages }, null, 2)}\n`);
}
