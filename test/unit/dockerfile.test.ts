// No Docker engine runs here, so the image is checked where it can be: every COPY source exists in the
// repository and survives .dockerignore, stages reference stages defined before them, and the runtime stage
// runs the built entry as a non-root user under an init process with a HEALTHCHECK on /healthz.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageNodeOptions, parseCopy, parseDockerfile, stageEnv } from '../support/dockerfile.ts';
import { parseDockerIgnore } from '../support/dockerignore.ts';

const root = join(import.meta.dirname, '../..');
const dockerfile = parseDockerfile(readFileSync(join(root, 'docker/Dockerfile'), 'utf8'));
const ignore = parseDockerIgnore(readFileSync(join(root, '.dockerignore'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const stageNames = dockerfile.stages.map((stage) => stage.name);
const runtime = dockerfile.stages.at(-1)!;
const instructionsOf = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

/** What `npm run build` reads: it must reach the build stage through `COPY . .`. */
const BUILD_INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/clean-dist.mjs',
  'src/entry/node.ts',
  'src/entry/migrate.ts',
  'migrations/app',
];

describe('docker/Dockerfile', () => {
  it('builds on node:24-slim in named stages that only reference earlier stages', () => {
    expect(stageNames).toEqual(['deps', 'build', 'runtime']);
    dockerfile.stages.forEach((stage, index) => {
      const earlier = stageNames.slice(0, index);
      if (earlier.includes(stage.base)) return;
      expect(stage.base, `stage ${stage.name} starts from an image`).toBe('node:24-slim');
    });
    expect(dockerfile.stages[1]!.base).toBe('deps');
  });

  it('copies only sources that exist in the repository and that .dockerignore lets through', () => {
    const checked: string[] = [];
    dockerfile.stages.forEach((stage, index) => {
      for (const instruction of stage.instructions) {
        if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
        const { flags, sources } = parseCopy(instruction.args);
        if (flags.from) {
          expect(
            stageNames.slice(0, index),
            `line ${instruction.line}: --from names an earlier stage`,
          ).toContain(flags.from);
          continue;
        }
        for (const source of sources) {
          expect(existsSync(join(root, source)), `line ${instruction.line}: ${source} exists`).toBe(true);
          if (source !== '.') expect(ignore.isExcluded(source), `${source} is not dockerignored`).toBe(false);
          checked.push(source);
        }
      }
    });
    expect(checked).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', '.']));
    for (const input of BUILD_INPUTS) {
      expect(existsSync(join(root, input)), `${input} exists`).toBe(true);
      expect(ignore.isExcluded(input), `${input} reaches the build stage`).toBe(false);
    }
  });

  it('installs all dependencies to build and only production ones to run', () => {
    const runs = (stage: (typeof dockerfile.stages)[number]) =>
      stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs(dockerfile.stages[0]!).join('\n')).toMatch(/npm ci(?! --omit)/);
    expect(runs(dockerfile.stages[1]!).join('\n')).toContain('npm run build');
    expect(packageJson.scripts.build).toBeDefined();
    expect(runs(runtime).join('\n')).toContain('npm ci --omit=dev');
  });

  it('runs the built entry as a non-root user under tini, listening on all interfaces', () => {
    const cmd = JSON.parse(instructionsOf('CMD').at(-1)!.args) as string[];
    expect(cmd).toEqual(['node', 'dist/src/entry/node.js']);
    // tsc (tsconfig.build.json: rootDir ".", outDir "dist") turns src/entry/node.ts into that file.
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(JSON.parse(instructionsOf('ENTRYPOINT').at(-1)!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(runs()).toMatch(/apt-get install[^&]*\btini\b/);
    const user = instructionsOf('USER').at(-1)!.args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(
      instructionsOf('ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/HOST=0\.0\.0\.0/);
    expect(
      instructionsOf('VOLUME')
        .map((i) => i.args)
        .join(' '),
    ).toContain('/app/data/files');

    function runs() {
      return instructionsOf('RUN')
        .map((i) => i.args)
        .join('\n');
    }
  });

  it('caps the V8 heap in NODE_OPTIONS, and npm start runs node with the same flags', () => {
    // A flood's promoted garbage grows the old generation until the cap makes V8 collect (docs/performance.md).
    const flags = imageNodeOptions();
    expect(flags).toEqual(stageEnv(runtime).NODE_OPTIONS!.split(' '));
    expect(flags).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
    expect(flags).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(packageJson.scripts.start).toContain(`node ${flags.join(' ')} dist/src/entry/node.js`);
  });

  it('checks liveness on /healthz with node itself (no curl in the slim image)', () => {
    const healthcheck = instructionsOf('HEALTHCHECK').at(-1)!.args;
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).toMatch(/CMD \["node", "-e"/);
    expect(healthcheck).not.toContain('curl');
  });
});

describe('.dockerignore', () => {
  it('leaves out docs, tests, env files, caches, local data, node_modules and .git (seed 003)', () => {
    for (const path of [
      '.git',
      'node_modules/hono/package.json',
      '.data/pglite/app',
      'docs/deploy/local.md',
      'README.md',
      'test/unit/dockerfile.test.ts',
      'test/support/ports.ts',
      'src/app.test.ts',
      '.env',
      '.env.local',
      '.env.aws',
      '.env.local.example',
      'dist/src/app.js',
      'coverage/index.html',
      'pytest-cache-files-1/x',
      '.wrangler/tmp',
      'scripts/backup.sh',
      'npm-debug.log',
    ]) {
      expect(ignore.isExcluded(path), `${path} is left out`).toBe(true);
    }
  });
});

// hadolint itself is not installable here (neither npm nor apt carries it), so its rules that apply to this
// Dockerfile are checked on the parsed instructions; the rule ids name hadolint's.
describe('hadolint-class rules', () => {
  const all = dockerfile.stages.flatMap((stage) => stage.instructions);
  const runs = all.filter((i) => i.keyword === 'RUN');

  it('DL3006/DL3007: every external base image has an explicit tag other than latest', () => {
    for (const stage of dockerfile.stages) {
      if (stageNames.includes(stage.base)) continue;
      expect(stage.base, stage.base).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(stage.base).not.toMatch(/:latest$/);
    }
  });

  it('DL3020/DL3025: COPY rather than ADD, exec-form CMD and ENTRYPOINT', () => {
    expect(all.filter((i) => i.keyword === 'ADD')).toEqual([]);
    for (const i of all.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) {
      expect(() => JSON.parse(i.args), `line ${i.line}`).not.toThrow();
    }
  });

  it('DL3015/DL3009: apt-get installs without recommends and removes its lists in the same layer', () => {
    const installs = runs.filter((i) => /apt-get install/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const i of installs) {
      expect(i.args, `line ${i.line}`).toContain('--no-install-recommends');
      expect(i.args, `line ${i.line}`).toMatch(/-y\b/);
      expect(i.args, `line ${i.line}`).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });

  it('DL3003/DL3004/DL4006: no cd for the working folder, no sudo, no unguarded pipes', () => {
    for (const i of runs) {
      expect(i.args, `line ${i.line}`).not.toMatch(/(^|&&\s*)cd\s/);
      expect(i.args, `line ${i.line}`).not.toMatch(/\bsudo\b/);
      // A pipe's exit status is its last command's; without pipefail a failing first command passes.
      if (/[^|]\|[^|]/.test(i.args))
        expect(all.some((s) => s.keyword === 'SHELL' && s.args.includes('pipefail'))).toBe(true);
    }
  });

  it('DL3002: the last USER is not root', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toBeDefined();
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
  });
});
