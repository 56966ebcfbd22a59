// Scrapes /metrics. The text must parse with a Prometheus text-format parser (parse-prometheus-text-format,
// which throws on an invalid line); the samples are then read line by line, because that parser merges the
// label sets of a labelled histogram into one.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Family name → its TYPE (counter, gauge, histogram...). */
  types: Map<string, string>;
  samples(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the first sample matching (undefined when absent). */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** A histogram's count and sum, and its cumulative buckets by `le`, for the matching label set. */
  histogram(
    name: string,
    labels?: Record<string, string>,
  ): { count: number; sum: number; buckets: Record<string, number> } | undefined;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseScrape(text: string): Scrape {
  parsePrometheusTextFormat(text);
  const types = new Map<string, string>();
  const all: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key!] = value!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    all.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const samples = (name: string, labels: Record<string, string> = {}) =>
    all.filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  return {
    types,
    samples,
    value: (name, labels) => samples(name, labels)[0]?.value,
    histogram(name, labels) {
      const count = samples(`${name}_count`, labels)[0];
      if (!count) return undefined;
      const buckets: Record<string, number> = {};
      for (const bucket of samples(`${name}_bucket`, labels)) buckets[bucket.labels.le!] = bucket.value;
      return { count: count.value, sum: samples(`${name}_sum`, labels)[0]?.value ?? 0, buckets };
    },
  };
}

export async function scrape(
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> },
  headers: Record<string, string> = {},
): Promise<Scrape> {
  const response = await app.request('/metrics', { headers });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseScrape(await response.text());
}
