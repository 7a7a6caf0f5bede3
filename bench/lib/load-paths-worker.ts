/**
 * Runs autocannon (programmatically, in this child process) over a list of paths, each request taking the
 * next path in turn, and prints its result as JSON like the CLI's `--json`. The CLI repeats one request; a
 * search benchmark needs many different queries so no cache or plan sees the same one over and over.
 *
 * Usage (by runLoad): node --import tsx bench/lib/load-paths-worker.ts < options.json
 */
import { createRequire } from 'node:module';

interface WorkerOptions {
  url: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface RawRequest {
  path?: string;
  [key: string]: unknown;
}

type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: unknown) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let input = '';
for await (const chunk of process.stdin) input += (chunk as Buffer).toString('utf8');
const options = JSON.parse(input || '{}') as WorkerOptions;
if (!options.url || !Array.isArray(options.paths) || options.paths.length === 0) {
  console.error('load-paths-worker needs { url, paths: [...], connections, durationSeconds } on stdin');
  process.exit(2);
}

let next = 0;
autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    body: options.body,
    requests: [
      {
        // Shared by every connection: the paths are spread evenly over the whole run.
        setupRequest: (request: RawRequest) => {
          const path = options.paths[next % options.paths.length];
          next += 1;
          return { ...request, path };
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error.message);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
);
