/**
 * `npm run build:kiosk -- --policy FILE [--out DIR]`: a production build with the kiosk policy
 * baked in. The built page has no normal mode at all: no address, storage or missing file can
 * unlock it. The policy is validated here (schema, model, instruction inlined) so a broken policy
 * never ships.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidInputError, OresError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/core/manifest.ts';
import { checkPolicyInstruction, checkPolicyModel, parsePolicy } from '../../src/core/policy/schema.ts';
import { parseInstructionArtifact } from '../../src/core/rewrite/artifact.ts';

const USAGE = 'Usage: npm run build:kiosk -- --policy FILE [--out DIR]   (default DIR: dist-kiosk)';

/** Reads, checks and inlines the policy; returns the JSON the build bakes in. */
export function kioskPolicyJson(policyPath: string, manifestPath = 'models-manifest/models.json'): string {
  let text: string;
  try {
    text = readFileSync(policyPath, 'utf8');
  } catch (e) {
    throw new InvalidInputError('policy-unreachable', `The kiosk policy ${policyPath} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  const policy = parsePolicy(text, policyPath);
  checkPolicyModel(policy, parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8'))), policyPath);
  if (typeof policy.instruction === 'string') {
    const artifactPath = resolve(dirname(policyPath), policy.instruction);
    policy.instruction = parseInstructionArtifact(readFileSync(artifactPath, 'utf8'));
  }
  if (policy.instruction) checkPolicyInstruction(policy, policy.instruction, policyPath);
  return JSON.stringify(policy);
}

function main(argv: string[]): void {
  let policyPath: string | undefined;
  let out = 'dist-kiosk';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--policy') policyPath = argv[++i];
    else if (argv[i] === '--out') out = argv[++i] ?? out;
    else throw new InvalidInputError('bad-arguments', `Unknown argument "${argv[i]}".\n${USAGE}`);
  }
  if (!policyPath) throw new InvalidInputError('bad-arguments', `--policy is required.\n${USAGE}`);
  const json = kioskPolicyJson(policyPath);
  const r = spawnSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir'], { stdio: 'inherit', env: { ...process.env, VITE_KIOSK_POLICY: json } });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`kiosk build with ${policyPath} baked in: ${out}/`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof OresError ? e.message : e);
    process.exit(2);
  }
}
