// docker/terraform checked offline. Always: HashiCorp's HCL parser (@cdktf/hcl2json) reads every file, and
// every var./local./data./resource reference resolves to a declaration, every variable without a default is
// set by each environment's tfvars (and each tfvars sets only declared variables), no secret is written in
// the code, and the stores are encrypted and private. Where a terraform binary and a local copy of the AWS
// provider exist (TERRAFORM_PROVIDER_MIRROR, default /opt/tf-plugins): `terraform fmt -check`, `init
// -backend=false` from that mirror and `terraform validate`. CI's deliver.yml runs validate with setup-terraform.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';

const run = promisify(execFile);
const dir = join(import.meta.dirname, '../../docker/terraform');
const terraform = findBinary('terraform');
const mirror = process.env.TERRAFORM_PROVIDER_MIRROR ?? '/opt/tf-plugins';
const canValidate = Boolean(terraform) && existsSync(join(mirror, 'registry.terraform.io/hashicorp/aws'));
if (!canValidate) console.warn('[terraform] SKIPPING validate: no terraform binary or AWS provider mirror');

type Block = Record<string, Record<string, unknown>[]>;
interface Module {
  variable?: Record<string, { default?: unknown }[]>;
  locals?: Record<string, unknown>[];
  resource?: Record<string, Block>;
  data?: Record<string, Block>;
  output?: Record<string, unknown>;
}

const tfFiles = readdirSync(dir).filter((name) => name.endsWith('.tf'));
const tfvarsFiles = readdirSync(join(dir, 'environments')).filter((name) => name.endsWith('.tfvars'));
let modules: { file: string; module: Module; text: string }[] = [];
let tfvars: { file: string; values: Record<string, unknown> }[] = [];

/** Every string in a parsed block, depth first (expressions are strings like "${var.region}"). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}
/** An HCL interpolation as hcl2json renders it: ${inner}. */
const interpolation = (inner: string) => `\${${inner}}`;
const expressions = (value: unknown) => strings(value).filter((s) => s.includes('${'));

beforeAll(async () => {
  modules = await Promise.all(
    tfFiles.map(async (file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return { file, text, module: (await parse(file, text)) as Module };
    }),
  );
  tfvars = await Promise.all(
    tfvarsFiles.map(async (file) => ({
      file,
      values: (await parse(file, readFileSync(join(dir, 'environments', file), 'utf8'))) as Record<
        string,
        unknown
      >,
    })),
  );
});

const declared = () => {
  const variables = new Map<string, { default?: unknown }>();
  const locals = new Set<string>();
  const resources = new Set<string>();
  const data = new Set<string>();
  for (const { module } of modules) {
    for (const [name, [body]] of Object.entries(module.variable ?? {})) variables.set(name, body ?? {});
    for (const block of module.locals ?? []) for (const name of Object.keys(block)) locals.add(name);
    for (const [type, byName] of Object.entries(module.resource ?? {}))
      for (const name of Object.keys(byName)) resources.add(`${type}.${name}`);
    for (const [type, byName] of Object.entries(module.data ?? {}))
      for (const name of Object.keys(byName)) data.add(`${type}.${name}`);
  }
  return { variables, locals, resources, data };
};

describe('docker/terraform (parsed with @cdktf/hcl2json)', () => {
  it('declares the AWS path: VPC, ECS Fargate behind an ALB with TLS, RDS, ElastiCache, EFS, Secrets Manager', () => {
    const { resources } = declared();
    for (const required of [
      'aws_vpc.main',
      'aws_nat_gateway.main',
      'aws_ecs_cluster.main',
      'aws_ecs_service.app',
      'aws_ecs_task_definition.app',
      'aws_lb.main',
      'aws_lb_listener.https',
      'aws_db_instance.app',
      'aws_elasticache_replication_group.redis',
      'aws_efs_file_system.files',
      'aws_secretsmanager_secret.app',
      'aws_ecr_repository.app',
    ]) {
      expect(resources, required).toContain(required);
    }
  });

  it('resolves every reference to a declared variable, local, data source or resource', () => {
    const { variables, locals, resources, data } = declared();
    let checked = 0;
    for (const { file, module } of modules) {
      for (const expression of expressions(module)) {
        for (const [, name] of expression.matchAll(/\bvar\.(\w+)/g)) {
          expect(variables.has(name!), `${file}: var.${name}`).toBe(true);
          checked++;
        }
        for (const [, name] of expression.matchAll(/\blocal\.(\w+)/g)) {
          expect(locals.has(name!), `${file}: local.${name}`).toBe(true);
          checked++;
        }
        for (const [, type, name] of expression.matchAll(/\bdata\.(\w+)\.(\w+)/g)) {
          expect(data.has(`${type}.${name}`), `${file}: data.${type}.${name}`).toBe(true);
          checked++;
        }
        for (const [, type, name] of expression.matchAll(/(?<![\w.])(aws_\w+)\.(\w+)/g)) {
          expect(resources.has(`${type}.${name}`), `${file}: ${type}.${name}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('sets every variable without a default in each environment, and nothing undeclared', () => {
    const { variables } = declared();
    const required = [...variables].filter(([, body]) => !('default' in body)).map(([name]) => name);
    expect(required.sort()).toEqual(['certificate_arn', 'domain_name', 'environment', 'image', 'region']);
    expect(tfvars.map((t) => t.file).sort()).toEqual(['production.tfvars', 'test.tfvars']);
    for (const { file, values } of tfvars) {
      for (const name of required) expect(values, `${file} sets ${name}`).toHaveProperty(name);
      for (const name of Object.keys(values))
        expect(variables.has(name), `${file}: ${name} is declared`).toBe(true);
      expect(values.environment).toBe(file.replace('.tfvars', ''));
    }
  });

  it('writes no secret: no password, token or key literal, no access key, no secret in tfvars', () => {
    const secretName = /(password|secret|token|private_key|access_key|auth)/i;
    const visit = (value: unknown, path: string) => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
      } else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          // A secret-named attribute may only be a reference or a boolean switch, never a literal string.
          if (secretName.test(key) && typeof inner === 'string')
            expect(inner, `${path}.${key}`).toMatch(/\$\{/);
          visit(inner, `${path}.${key}`);
        }
      }
    };
    for (const { file, module, text } of modules) {
      visit(module.resource, file);
      expect(text, file).not.toMatch(/AKIA[0-9A-Z]{16}/);
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    }
    for (const { file, values } of tfvars) {
      for (const key of Object.keys(values)) expect(key, `${file}: ${key}`).not.toMatch(secretName);
    }
    // The database password is RDS-managed in Secrets Manager; the origin's secrets are injected from there.
    const db = modules.find((m) => m.module.resource?.aws_db_instance)!.module.resource!.aws_db_instance!
      .app![0]!;
    expect(db.manage_master_user_password).toBe(true);
    expect(db).not.toHaveProperty('password');
    const task = modules.find((m) => m.module.resource?.aws_ecs_task_definition)!.text;
    expect(task).toContain(
      `valueFrom = "${interpolation('aws_secretsmanager_secret.app.arn')}:${interpolation('key')}::"`,
    );
  });

  it('keeps the stores encrypted and private, and the deploys CI makes out of Terraform’s way', () => {
    const resource = (type: string, name: string) =>
      modules.find((m) => m.module.resource?.[type]?.[name])!.module.resource![type]![name]![0]!;
    expect(resource('aws_db_instance', 'app')).toMatchObject({
      storage_encrypted: true,
      publicly_accessible: false,
    });
    expect(resource('aws_elasticache_replication_group', 'redis')).toMatchObject({
      at_rest_encryption_enabled: true,
      transit_encryption_enabled: true,
    });
    expect(resource('aws_efs_file_system', 'files')).toMatchObject({ encrypted: true });
    expect(resource('aws_lb_listener', 'https')).toMatchObject({
      protocol: 'HTTPS',
      certificate_arn: interpolation('var.certificate_arn'),
    });
    const service = resource('aws_ecs_service', 'app') as { lifecycle: { ignore_changes: string[] }[] };
    expect(JSON.stringify(service.lifecycle)).toContain('task_definition');
    const network = (resource('aws_ecs_service', 'app') as { network_configuration: unknown[] })
      .network_configuration[0];
    expect(network).toMatchObject({ assign_public_ip: false });
  });
});

describe.skipIf(!canValidate)('terraform validate (local provider mirror)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'app-server-terraform-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is formatted, initialises from the mirror and validates', async () => {
    await run(terraform!, ['fmt', '-check', '-recursive', dir]);
    const work = join(tmp, 'config');
    cpSync(dir, work, { recursive: true, filter: (source) => !source.includes('.terraform/') });
    const cliConfig = join(tmp, 'terraform.rc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`,
    );
    const env = {
      PATH: process.env.PATH!,
      HOME: tmp,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    };
    await run(
      terraform!,
      [`-chdir=${work}`, 'init', '-backend=false', '-input=false', '-lockfile=readonly'],
      { env },
    );
    const { stdout } = await run(terraform!, [`-chdir=${work}`, 'validate', '-json'], { env });
    const result = JSON.parse(stdout) as { valid: boolean; diagnostics: { summary: string }[] };
    expect(result.diagnostics.map((d) => d.summary)).toEqual([]);
    expect(result.valid).toBe(true);
  }, 180_000);
});
