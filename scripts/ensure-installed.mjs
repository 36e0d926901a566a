// Run before `npm start` and `npm test` so a fresh clone needs no other command:
// checks the Node version and installs the locked packages when they are missing or stale.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `Node ${process.versions.node} is too old: this project needs Node 22 or newer.\n` +
      `  npm i -g --prefix "$HOME/.node22" node@22 && export PATH="$HOME/.node22/bin:$PATH"`,
  );
  process.exit(1);
}

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  // Not `npm ci`: it rejects our lock because vite 8 names an optional Windows-only package the
  // registry does not serve (see .ci/run). `npm install` with the lock installs the locked versions.
  console.log('Installing the locked npm packages (npm install)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
