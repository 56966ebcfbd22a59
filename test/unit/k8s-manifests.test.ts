// docker/k8s validates against the Kubernetes API schemas (kubernetes-models: JSON Schemas from the Kubernetes
// OpenAPI spec, checked with ajv), and keeps the promises docs/deploy/kubernetes.md makes: probes, graceful
// termination derived from SHUTDOWN_TIMEOUT_MS, non-root, resources, placeholders only in the Secret example.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENV_KEYS } from '../../src/config/index.ts';

const dir = new URL('../../docker/k8s/', import.meta.url).pathname;
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, checked by the schemas below.
type Any = any;
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: Any };

function load(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const manifests = files
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((file) => load(file).map((m) => ({ file, m })));
const byKind = (kind: string) => manifests.find(({ m }) => m.kind === kind)!.m as Any;

function validate(m: Manifest) {
  const Model = MODELS[`${m.apiVersion}/${m.kind}`];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  new Model(m as never).validate();
}

describe('docker/k8s manifests', () => {
  it('each validates against its Kubernetes API schema', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    for (const { file, m } of manifests) expect(() => validate(m), `${file}: ${m.kind}`).not.toThrow();
  });

  it('the validator rejects a malformed manifest (the check bites)', () => {
    const broken = structuredClone(byKind('Deployment'));
    broken.spec.replicas = 'two';
    expect(() => validate(broken)).toThrow();
    const badProbe = structuredClone(byKind('Deployment'));
    badProbe.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };
    expect(() => validate(badProbe)).toThrow();
  });

  it('kustomization lists files that exist, and everything but the Secret example and the Job', () => {
    const [kustomization] = load('kustomization.yaml') as Any[];
    expect([...kustomization.resources].sort()).toEqual(
      files
        .filter((f) => !['kustomization.yaml', 'secret.example.yaml', 'migrate-job.yaml'].includes(f))
        .sort(),
    );
  });

  it('the Deployment probes readiness on /api/v1/health and liveness on /healthz, non-root, with resources', () => {
    const pod = byKind('Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/api/v1/health');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe(
      byKind('Deployment').metadata.name,
    );
    expect(byKind('Service').spec.selector).toEqual(byKind('Deployment').spec.selector.matchLabels);
  });

  it('gives pods time to drain requests and then running jobs: preStop + 2 × SHUTDOWN_TIMEOUT_MS + margin', () => {
    const pod = byKind('Deployment').spec.template.spec;
    const shutdownSeconds = Number(byKind('ConfigMap').data.SHUTDOWN_TIMEOUT_MS) / 1000;
    const preStop = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + 2 * shutdownSeconds + 5);
  });

  it('the migration Job runs the built migrate entry; replicas never migrate on start', () => {
    const job = byKind('Job').spec.template.spec;
    expect(job.containers[0].command).toEqual(['node', 'dist/src/entry/migrate.js']);
    expect(job.restartPolicy).toBe('Never');
    expect(byKind('ConfigMap').data.MIGRATE_ON_START).toBe('false');
  });

  it('ConfigMap and Secret name only known variables, and the Secret example holds placeholders only', () => {
    const known = new Set<string>(ENV_KEYS);
    const config = byKind('ConfigMap').data as Record<string, string>;
    const secret = byKind('Secret').stringData as Record<string, string>;
    expect(Object.keys(config).filter((k) => !known.has(k))).toEqual([]);
    expect(Object.keys(secret).filter((k) => !known.has(k))).toEqual([]);
    for (const key of ['ADMIN_PASSWORD', 'JWT_SECRET_KEY', 'ENCRYPTION_KEY'])
      expect(secret[key]).toMatch(/^<set-[a-z0-9-]+>$/);
    for (const key of ['DB_APP_URL', 'REDIS_URL']) expect(secret[key]).toContain('<set-');
    expect(Object.keys(config).filter((k) => /PASSWORD|SECRET|KEY$|_URL$/.test(k))).toEqual([]);
  });
});
