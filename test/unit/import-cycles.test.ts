// No import cycles in src/ and views/, type-only imports included (what `madge --circular` checks; madge's
// TypeScript parser does not run against TypeScript 7 here, so the graph is read directly), and the layering of
// ARCHITECTURE.md: infrastructure imports nothing above it. Also: no source file over 400 lines.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/origin-process.ts';

/** Every relative specifier of `import … from`, `export … from`, `import type` and side-effect imports. */
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function importGraph(roots: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap((root) => sourceFiles(join(PROJECT_ROOT, root)))) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(SPECIFIER)]
      .map((match) => resolve(dirname(file), match[1]!))
      .filter((target) => existsSync(target));
    graph.set(file, targets);
  }
  return graph;
}

/** Each cycle once, as the files along it (depth-first search with an on-stack set). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (file: string) => {
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(file);
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles.map((cycle) => cycle.map((file) => relative(PROJECT_ROOT, file)));
}

/** The infrastructure of ARCHITECTURE.md: the folders (and files) under src/ that import nothing above them. */
const INFRASTRUCTURE = [
  'config',
  'lib',
  'observability',
  'db',
  'kv',
  'secrets',
  'http',
  'audit',
  'version.ts',
];

/** The first part of a path under src/ (a folder or a top-level file), or `views` for the views. */
function layerOf(file: string): string {
  const [top, name] = relative(PROJECT_ROOT, file).split(sep);
  return top === 'src' ? name! : top!;
}

/** Every import from infrastructure to anything that is not infrastructure, as "from -> to". */
function layeringViolations(graph: Map<string, string[]>): string[] {
  const isInfrastructure = (file: string) => INFRASTRUCTURE.includes(layerOf(file));
  return [...graph]
    .filter(([file]) => isInfrastructure(file))
    .flatMap(([file, targets]) =>
      targets
        .filter((target) => !isInfrastructure(target))
        .map((target) => `${relative(PROJECT_ROOT, file)} -> ${relative(PROJECT_ROOT, target)}`),
    );
}

describe('layering', () => {
  it('infrastructure (config, lib, observability, db, kv, secrets, http, audit) imports nothing above it', () => {
    expect(layeringViolations(importGraph(['src']))).toEqual([]);
  });

  it('the check finds an import from infrastructure into a feature, the scheduler or the entries', () => {
    const at = (path: string) => join(PROJECT_ROOT, path);
    const graph = new Map([
      [at('src/http/metrics.ts'), [at('src/features/health/health.checks.ts'), at('src/db/index.ts')]],
      [at('src/observability/metrics.ts'), [at('src/scheduler/types.ts')]],
      [at('src/features/jobs/jobs.service.ts'), [at('src/scheduler/cron.ts'), at('src/db/index.ts')]],
      [at('src/db/index.ts'), [at('src/version.ts')]],
    ]);
    expect(layeringViolations(graph)).toEqual([
      'src/http/metrics.ts -> src/features/health/health.checks.ts',
      'src/observability/metrics.ts -> src/scheduler/types.ts',
    ]);
  });
});

/** Files small enough to read in one sitting (ARCHITECTURE.md): split one that grows past this into named parts. */
const MAX_LINES = 400;

describe('file size', () => {
  it(`no file in src/ or views/ is over ${MAX_LINES} lines`, () => {
    const long = ['src', 'views']
      .flatMap((root) => sourceFiles(join(PROJECT_ROOT, root)))
      .map((file) => ({
        file: relative(PROJECT_ROOT, file),
        lines: readFileSync(file, 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

describe('import cycles', () => {
  it('src/ and views/ have none, type-only imports included', () => {
    expect(findCycles(importGraph(['src', 'views']))).toEqual([]);
  });

  it('the check finds a cycle, a type-only one included', () => {
    const graph = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/a.ts']],
      ['/c.ts', []],
    ]);
    expect(findCycles(graph)).toHaveLength(1);
    const typeOnly = "import type { Config } from './index.ts';\nexport { x } from './y.ts';";
    expect([...typeOnly.matchAll(SPECIFIER)].map((match) => match[1])).toEqual(['./index.ts', './y.ts']);
  });
});
