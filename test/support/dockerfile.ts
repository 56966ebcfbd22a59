// Parses a Dockerfile into stages and instructions (continuation lines joined, comments dropped), with ARG
// defaults substituted in FROM lines, so a test can check the stage graph without a Docker engine.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: startLine });
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      const base = image!.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [key, value] = instruction.args.split('=');
        globalArgs[key!.trim()] = (value ?? '').trim();
      }
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** COPY/ADD arguments: flags (--from=x, --chown=...), sources and the destination (JSON or plain form). */
export function parseCopy(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (let flag = /^--(\w+)=(\S+)\s+/.exec(rest); flag; flag = /^--(\w+)=(\S+)\s+/.exec(rest)) {
    flags[flag[1]!] = flag[2]!;
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { flags, sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** A stage's ENV variables (`KEY=value`, `KEY="value with spaces"`, one or more per instruction; later wins). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const match of instruction.args.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)) {
      env[match[1]!] = match[2] ?? match[3]!;
    }
  }
  return env;
}

/**
 * The Node flags the image runs the origin with (its runtime stage's NODE_OPTIONS), read from docker/Dockerfile:
 * the one place they are written down for the tests' spawned origin and the bench (npm start repeats them,
 * checked by test/unit/dockerfile.test.ts).
 */
export function imageNodeOptions(): string[] {
  const text = readFileSync(new URL('../../docker/Dockerfile', import.meta.url), 'utf8');
  const options = stageEnv(parseDockerfile(text).stages.at(-1)!).NODE_OPTIONS;
  if (!options) throw new Error('docker/Dockerfile: the runtime stage sets no NODE_OPTIONS');
  return options.split(/\s+/).filter(Boolean);
}
