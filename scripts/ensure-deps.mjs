// Installs dependencies when they are missing or older than the lockfile, so `npm start` and `npm test`
// work straight after `git clone` on a machine with only Node.js and npm.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';

if (!existsSync(marker)) {
  console.log('Cairn: installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
} else if (statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000) {
  console.log('Cairn: package-lock.json changed, updating dependencies (npm install)…');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
