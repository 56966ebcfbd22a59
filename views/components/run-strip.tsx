// The last runs of a job as a server-rendered SVG strip: one bar per run, oldest on the left; the height is
// the duration, the colour the outcome, a mark above a bar a run that started late. Every bar has its own
// title (hover) and the whole strip a title and description in words. The SVG stretches to the width (no text
// inside it, so nothing is distorted); the labels are HTML.
import { formatDuration } from './format.ts';

export interface StripRun {
  status: string;
  trigger: string;
  scheduled_for: string;
  started_at: string | null;
  duration_ms: number | null;
}

/** A scheduled run that started this much after its tick counts as late. */
export const LATE_AFTER_MS = 60_000;

const WIDTH = 600;
const HEIGHT = 80;
const TOP = 10;
const BOTTOM = 2;

const OUTCOME: Record<string, string> = {
  succeeded: 'ok',
  failed: 'bad',
  timed_out: 'bad',
  dead: 'bad',
  missed: 'warn',
  skipped: 'muted',
  queued: 'busy',
  running: 'busy',
};

export function lateByMs(run: StripRun): number | null {
  if (run.trigger !== 'schedule' && run.trigger !== 'catchup') return null;
  if (!run.started_at) return null;
  const late = Date.parse(run.started_at) - Date.parse(run.scheduled_for);
  return Number.isFinite(late) && late > LATE_AFTER_MS ? late : null;
}

function summary(runs: StripRun[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status.replace('_', ' ')}`);
  const durations = runs.map((run) => run.duration_ms).filter((ms): ms is number => ms !== null);
  const late = runs.filter((run) => lateByMs(run) !== null).length;
  const longest = durations.length ? `; longest ${formatDuration(Math.max(...durations))}` : '';
  return `${parts.join(', ')}${longest}; ${late} started late (over a minute after the tick).`;
}

/** `runs` newest first (as the runs list has them); drawn oldest first. */
export function RunStrip(props: { runs: StripRun[]; jobName: string; id?: string }) {
  const id = props.id ?? 'run-strip';
  const runs = [...props.runs].reverse();
  if (runs.length === 0) {
    return (
      <p class="hint" id={id}>
        No runs yet: the strip of recent runs appears after the first one.
      </p>
    );
  }
  const slots = Math.max(runs.length, 20);
  const slot = WIDTH / slots;
  const barWidth = Math.max(2, slot * 0.7);
  const maxMs = Math.max(1, ...runs.map((run) => run.duration_ms ?? 0));
  const usable = HEIGHT - TOP - BOTTOM;
  return (
    <figure class="run-strip" id={id}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="none"
        class="chart"
      >
        <title id={`${id}-title`}>{`Last ${runs.length} runs of ${props.jobName}`}</title>
        <desc id={`${id}-desc`}>{summary(runs)}</desc>
        <line
          class="axis"
          x1="0"
          y1={HEIGHT - BOTTOM}
          x2={WIDTH}
          y2={HEIGHT - BOTTOM}
          vector-effect="non-scaling-stroke"
        />
        {runs.map((run, index) => {
          const ms = run.duration_ms ?? 0;
          const height = run.duration_ms === null ? 3 : Math.max(3, (ms / maxMs) * usable);
          const x = index * slot + (slot - barWidth) / 2;
          const y = HEIGHT - BOTTOM - height;
          const late = lateByMs(run);
          const label = [
            `${run.status.replace('_', ' ')}`,
            run.duration_ms !== null ? formatDuration(run.duration_ms) : 'no duration',
            `${run.trigger} for ${run.scheduled_for.replace('T', ' ').slice(0, 19)} UTC`,
            late !== null ? `started ${formatDuration(late)} late` : null,
          ]
            .filter(Boolean)
            .join(', ');
          return (
            <g class={`bar ${OUTCOME[run.status] ?? 'muted'}`}>
              <title>{label}</title>
              <rect
                x={x.toFixed(1)}
                y={y.toFixed(1)}
                width={barWidth.toFixed(1)}
                height={height.toFixed(1)}
              />
              {late !== null ? (
                <rect
                  class="late"
                  x={x.toFixed(1)}
                  y={Math.max(0, y - 8).toFixed(1)}
                  width={barWidth.toFixed(1)}
                  height="5"
                />
              ) : null}
            </g>
          );
        })}
      </svg>
      <div class="chart-axis" aria-hidden="true">
        <span>older</span>
        <span>tallest bar: {formatDuration(maxMs)}</span>
        <span>newest</span>
      </div>
      <figcaption class="legend">
        <span class="key ok">succeeded</span> <span class="key bad">failed / timed out / dead</span>{' '}
        <span class="key warn">missed</span> <span class="key muted">skipped</span>{' '}
        <span class="key busy">queued / running</span> <span class="key late">started late</span> · height:
        duration
      </figcaption>
    </figure>
  );
}
