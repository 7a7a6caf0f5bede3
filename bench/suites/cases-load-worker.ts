/**
 * Runs autocannon (programmatically, in this child process) over a list of requests that each carry their
 * own session cookie — a case is opened by a supervisor or caseworker of its own organisation, so one cookie
 * for the whole run cannot do — and checks every answer's body for strings it must contain (the case's id and
 * its revealed identity section, say). Prints autocannon's result as JSON like the CLI's `--json`, with a
 * `check` object added: how many 2xx answers were checked and how many lacked what they had to contain, and a
 * `cpu` object: the CPU the machine, the server, PostgreSQL and this worker spent over the run (bench/lib/cpu.ts).
 *
 * Usage (by runCaseRequests in cases.ts): node --import tsx bench/suites/cases-load-worker.ts < options.json
 */
import { createRequire } from 'node:module';
import { cpuBetween, readCpu } from '../lib/cpu.js';

interface WorkerRequest {
  path: string;
  cookie: string;
  /** Strings every 2xx answer to this request must contain. */
  expect: string[];
}

interface WorkerOptions {
  url: string;
  requests: WorkerRequest[];
  connections: number;
  durationSeconds: number;
  /** The server's pid, to account its CPU over the run (bench/lib/cpu.ts). */
  serverPid?: number;
}

interface RawRequest {
  headers?: Record<string, string>;
  [key: string]: unknown;
}

type Context = { expect?: string[]; path?: string };

type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: Record<string, unknown>) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let input = '';
for await (const chunk of process.stdin) input += (chunk as Buffer).toString('utf8');
const options = JSON.parse(input || '{}') as WorkerOptions;
if (!options.url || !Array.isArray(options.requests) || options.requests.length === 0) {
  console.error('cases-load-worker needs { url, requests: [{ path, cookie, expect }], … } on stdin');
  process.exit(2);
}

const check = { checked: 0, unverified: 0, firstUnverified: null as string | null };
let next = 0;
// Read right around the run itself, so this worker's start-up is not counted.
const before = readCpu(options.serverPid);
autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        // Shared by every connection: the requests are spread evenly over the whole run.
        setupRequest: (request: RawRequest, context: Context) => {
          const item = options.requests[next % options.requests.length]!;
          next += 1;
          // One request at a time per connection, so the answer that comes back is this one's.
          context.expect = item.expect;
          context.path = item.path;
          return { ...request, path: item.path, headers: { ...request.headers, cookie: item.cookie } };
        },
        onResponse: (status: number, body: string, context: Context) => {
          if (status < 200 || status > 299) return;
          check.checked += 1;
          if (!(context.expect ?? []).every((text) => body.includes(text))) {
            check.unverified += 1;
            check.firstUnverified ??= context.path ?? '(unknown)';
          }
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error.message);
      process.exit(1);
    }
    const cpu = cpuBetween(before, readCpu(options.serverPid));
    process.stdout.write(`${JSON.stringify({ ...result, check, cpu })}\n`);
  },
);
