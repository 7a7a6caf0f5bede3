import type { BlindIndexPurpose, Keyring, RotationStarted } from './keyring.js';
import { blindIndexPurposes } from './keystore.js';

export const keysUsage = `Usage: cairn keys <command>

  status                                   key versions by state, retired versions, recent rotations
  rotate --organisation <uuid> | --all     new data key for one or every organisation; re-encrypts in the background
  rotate-index --purpose lookup|matching   new blind-index key; recomputes the indexes in the background
  destroy-retired [--organisation <uuid>] [--purpose <p>]
                                           destroys retired versions no value uses any more (irreversible)

rotate and rotate-index wait for the re-encryption, running it in this process (the app may keep serving);
add --no-wait to leave it to the job workers.
`;

/** The value following a flag, or undefined. */
function option(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Drives started rotations to their end in this process, printing progress; false if one failed. */
async function waitFor(
  keys: Keyring,
  started: RotationStarted[],
  print: (line: string) => void,
): Promise<boolean> {
  let ok = true;
  for (const rotation of started) {
    let rowsBefore = -1;
    for (;;) {
      const progress = await keys.runRotation(rotation.rotationId);
      if (progress.state !== 'running') {
        print(`rotation ${rotation.rotationId}: ${progress.state}, ${progress.rowsDone} rows rewritten`);
        ok &&= progress.state === 'done';
        break;
      }
      // Rows held by writers are retried; pause when a pass made no progress.
      if (progress.rowsDone === rowsBefore) await sleep(1000);
      rowsBefore = progress.rowsDone;
      print(`rotation ${rotation.rotationId}: ${progress.rowsDone} rows so far`);
    }
  }
  return ok;
}

const describeRotation = (rotation: RotationStarted) =>
  `rotation ${rotation.rotationId} started: ${rotation.kind} ${rotation.scope} v${rotation.fromVersion} → v${rotation.toVersion}`;

/**
 * `cairn keys …`: prints to `print` and returns the exit code. Nothing printed is secret: ids, purposes,
 * versions and counts only.
 */
export async function runKeysCommand(
  keys: Keyring,
  args: string[],
  print: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = args;
  const wait = !rest.includes('--no-wait');
  switch (command) {
    case 'status': {
      const status = await keys.status();
      const o = status.organisations;
      print(
        `organisation keys: ${o.withKeys} organisations; versions ${o.active} active, ${o.retired} retired, ${o.destroyed} destroyed`,
      );
      for (const key of status.blindIndexKeys)
        print(`blind-index key ${key.purpose} v${key.version}: ${key.state}`);
      if (status.retired.length > 0) print(`retired (destroy-retired once their rotation is done):`);
      for (const key of status.retired) print(`  ${key.kind} ${key.scope} v${key.version}`);
      for (const r of status.rotations) {
        const error = r.lastError ? ` — last error: ${r.lastError}` : '';
        print(
          `rotation ${r.id} ${r.kind} ${r.scope} v${r.fromVersion} → v${r.toVersion}: ${r.state}, ${r.rowsDone} rows${error}`,
        );
      }
      return 0;
    }
    case 'rotate': {
      const organisationId = option(rest, '--organisation');
      let started: RotationStarted[];
      if (rest.includes('--all')) {
        const result = await keys.rotateAllOrganisationKeys();
        for (const skipped of result.skipped)
          print(`organisation ${skipped.organisationId} skipped: ${skipped.reason}`);
        started = result.started;
      } else if (organisationId) {
        started = [await keys.rotateOrganisationKey(organisationId)];
      } else {
        print(keysUsage);
        return 2;
      }
      for (const rotation of started) print(describeRotation(rotation));
      if (started.length === 0) print('no organisation key to rotate');
      return !wait || (await waitFor(keys, started, print)) ? 0 : 1;
    }
    case 'rotate-index': {
      const purpose = option(rest, '--purpose');
      if (!purpose || !blindIndexPurposes.includes(purpose as BlindIndexPurpose)) {
        print(keysUsage);
        return 2;
      }
      const started = await keys.rotateBlindIndexKey(purpose as BlindIndexPurpose);
      print(describeRotation(started));
      return !wait || (await waitFor(keys, [started], print)) ? 0 : 1;
    }
    case 'destroy-retired': {
      const purpose = option(rest, '--purpose');
      if (purpose !== undefined && !blindIndexPurposes.includes(purpose as BlindIndexPurpose)) {
        print(keysUsage);
        return 2;
      }
      const report = await keys.destroyRetiredKeys({
        organisationId: option(rest, '--organisation'),
        purpose: purpose as BlindIndexPurpose | undefined,
      });
      for (const key of report.destroyed) print(`destroyed ${key.kind} ${key.scope} v${key.version}`);
      for (const key of report.kept) {
        const why =
          key.reason === 'values_remain'
            ? `${key.remaining} rows still use it`
            : 'a rotation is still running';
        print(`kept ${key.kind} ${key.scope} v${key.version}: ${why}`);
      }
      if (report.destroyed.length === 0 && report.kept.length === 0) print('no retired key to destroy');
      return report.kept.length > 0 ? 1 : 0;
    }
    default:
      print(keysUsage);
      return 2;
  }
}
