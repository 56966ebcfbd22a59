// deno.json maps every runtime dependency to the same npm range as package.json, so the origin runs on
// Deno with exactly the packages it runs with on Node (resolved from node_modules).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const deno = JSON.parse(readFileSync(join(root, 'deno.json'), 'utf8')) as {
  imports: Record<string, string>;
  nodeModulesDir: string;
  tasks: Record<string, string>;
};

describe('deno.json', () => {
  it('maps each runtime dependency, and its subpaths, to the range package.json pins', () => {
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      expect(deno.imports[name], `deno.json imports needs "${name}": "npm:${name}@${range}"`).toBe(
        `npm:${name}@${range}`,
      );
    }
    for (const [specifier, target] of Object.entries(deno.imports)) {
      const name = specifier.replace(/\/$/, '');
      expect(pkg.dependencies[name], `${specifier} is not a runtime dependency`).toBeDefined();
      if (specifier.endsWith('/')) expect(target).toBe(`npm:/${name}@${pkg.dependencies[name]}/`);
    }
  });

  it('resolves from node_modules with the pinned Deno', () => {
    expect(deno.nodeModulesDir).toBe('manual');
    expect(pkg.devDependencies.deno).toBe('2.9.5');
    expect(deno.tasks.start).toContain('src/entry/deno.ts');
  });
});
