// The dashboard: the last 24 hours as pictures (server-rendered SVG, no script): runs per hour stacked by
// outcome, the slowest and most-failing jobs, and the next fires on a 24-hour timeline. Every chart has a title
// and description in words, and its numbers are one click away as a table.
import { formatDuration, formatWhen } from '../components/format.ts';
import { AdminLayout } from '../layouts/admin-layout.tsx';
import type { DashboardView, PageChrome } from '../types.ts';

/** Stack order (bottom up) and the outcome class each status is drawn with. */
const STACK: { label: string; tone: string; statuses: string[] }[] = [
  { label: 'succeeded', tone: 'ok', statuses: ['succeeded'] },
  { label: 'failed, timed out or dead', tone: 'bad', statuses: ['failed', 'timed_out', 'dead'] },
  { label: 'missed', tone: 'warn', statuses: ['missed'] },
  { label: 'skipped', tone: 'muted', statuses: ['skipped'] },
  { label: 'queued or running', tone: 'busy', statuses: ['queued', 'running'] },
];

const hourLabel = (iso: string) => `${iso.slice(11, 13)}:00`;
const sum = (counts: Record<string, number>, statuses: string[]) =>
  statuses.reduce((total, status) => total + (counts[status] ?? 0), 0);

function RunsPerHour(props: { hours: DashboardView['hours'] }) {
  const { hours } = props;
  const W = 720;
  const H = 160;
  const totals = hours.map((hour) => STACK.reduce((t, layer) => t + sum(hour.counts, layer.statuses), 0));
  const max = Math.max(1, ...totals);
  const slot = W / hours.length;
  const all = totals.reduce((a, b) => a + b, 0);
  const byLayer = STACK.map((layer) => ({
    ...layer,
    total: hours.reduce((t, hour) => t + sum(hour.counts, layer.statuses), 0),
  }));
  const busiest = totals.indexOf(Math.max(...totals));
  const desc =
    all === 0
      ? 'No runs in the last 24 hours.'
      : `${all} runs in 24 hours: ${byLayer
          .filter((layer) => layer.total > 0)
          .map((layer) => `${layer.total} ${layer.label}`)
          .join(', ')}. Busiest hour ${hourLabel(hours[busiest]!.hour)} UTC with ${totals[busiest]} runs.`;
  return (
    <figure class="chart-figure">
      <div class="chart-axis" aria-hidden="true">
        <span>{max} runs</span>
      </div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby="per-hour-title per-hour-desc"
        class="chart tall"
      >
        <title id="per-hour-title">Runs per hour by outcome, last 24 hours (UTC)</title>
        <desc id="per-hour-desc">{desc}</desc>
        {[0.5, 1].map((fraction) => (
          <line
            class="grid"
            x1="0"
            x2={W}
            y1={(H - H * fraction).toFixed(1)}
            y2={(H - H * fraction).toFixed(1)}
            vector-effect="non-scaling-stroke"
          />
        ))}
        {hours.map((hour, index) => {
          let y = H;
          const x = index * slot + slot * 0.12;
          return (
            <g>
              <title>{`${hourLabel(hour.hour)} UTC: ${totals[index]} runs${STACK.map((layer) => {
                const n = sum(hour.counts, layer.statuses);
                return n ? `, ${n} ${layer.label}` : '';
              }).join('')}`}</title>
              {STACK.map((layer) => {
                const n = sum(hour.counts, layer.statuses);
                if (!n) return null;
                const height = (n / max) * H;
                y -= height;
                return (
                  <rect
                    class={`bar ${layer.tone}`}
                    x={x.toFixed(1)}
                    y={y.toFixed(1)}
                    width={(slot * 0.76).toFixed(1)}
                    height={height.toFixed(1)}
                  />
                );
              })}
            </g>
          );
        })}
        <line class="axis" x1="0" x2={W} y1={H} y2={H} vector-effect="non-scaling-stroke" />
      </svg>
      <div class="chart-axis" aria-hidden="true">
        {hours
          .filter((_, index) => index % 6 === 0)
          .map((hour) => (
            <span>{hourLabel(hour.hour)}</span>
          ))}
        <span>now</span>
      </div>
      <figcaption class="legend">
        {STACK.map((layer) => (
          <>
            <span class={`key ${layer.tone}`}>{layer.label}</span>{' '}
          </>
        ))}
      </figcaption>
      <details>
        <summary>The numbers per hour</summary>
        <div class="table-wrap">
          <table class="data compact">
            <caption class="visually-hidden">Runs per hour by outcome</caption>
            <thead>
              <tr>
                <th scope="col">Hour (UTC)</th>
                {STACK.map((layer) => (
                  <th scope="col">{layer.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {hours.map((hour) => (
                <tr>
                  <th scope="row" data-label="Hour (UTC)">
                    {`${hour.hour.slice(0, 10)} ${hourLabel(hour.hour)}`}
                  </th>
                  {STACK.map((layer) => (
                    <td data-label={layer.label}>{sum(hour.counts, layer.statuses)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A bar inside a table cell, for comparing rows at a glance (the number beside it is the value). */
function InlineBar(props: { value: number; max: number; tone: string; label: string }) {
  const width = props.max > 0 ? Math.max(1, (props.value / props.max) * 100) : 0;
  return (
    <svg
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      class="inline-bar"
      role="img"
      aria-label={props.label}
    >
      <rect class={`bar ${props.tone}`} x="0" y="0" width={width.toFixed(1)} height="10" />
    </svg>
  );
}

function Slowest(props: { jobs: DashboardView['slowest'] }) {
  if (!props.jobs.length) return <p class="hint">No finished runs in the last 24 hours.</p>;
  const max = Math.max(...props.jobs.map((job) => job.p95_ms));
  return (
    <div class="table-wrap">
      <table class="data compact">
        <caption class="visually-hidden">Slowest jobs, last 24 hours (by 95th percentile duration)</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Runs</th>
            <th scope="col">Average</th>
            <th scope="col">95th percentile</th>
            <th scope="col">Longest</th>
          </tr>
        </thead>
        <tbody>
          {props.jobs.map((job) => (
            <tr>
              <th scope="row" data-label="Job">
                <a href={`/admin/jobs/${job.job_id}`}>{job.name}</a>
              </th>
              <td data-label="Runs">{job.runs}</td>
              <td data-label="Average">{formatDuration(job.avg_ms)}</td>
              <td data-label="95th percentile">
                {formatDuration(job.p95_ms)}
                <InlineBar value={job.p95_ms} max={max} tone="busy" label={`${formatDuration(job.p95_ms)}`} />
              </td>
              <td data-label="Longest">{formatDuration(job.max_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Failing(props: { jobs: DashboardView['failing'] }) {
  if (!props.jobs.length) return <p class="hint">No failed runs in the last 24 hours.</p>;
  return (
    <div class="table-wrap">
      <table class="data compact">
        <caption class="visually-hidden">Jobs with the most failed runs, last 24 hours</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Failed / runs</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {props.jobs.map((job) => (
            <tr>
              <th scope="row" data-label="Job">
                <a href={`/admin/jobs/${job.job_id}?status=failed`}>{job.name}</a>
              </th>
              <td data-label="Failed / runs">
                {job.failures} / {job.runs} ({Math.round((job.failures / job.runs) * 100)}%)
                <InlineBar
                  value={job.failures}
                  max={job.runs}
                  tone="bad"
                  label={`${job.failures} of ${job.runs} failed`}
                />
              </td>
              <td data-label="Last error">
                <code class="clip">{job.last_error ?? '—'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NextFires(props: { fires: DashboardView['nextFires']; now: string }) {
  if (!props.fires.length) return <p class="hint">No enabled job fires in the next 24 hours.</p>;
  const start = Date.parse(props.now);
  const span = 24 * 3_600_000;
  return (
    <div class="table-wrap">
      <table class="data compact timeline">
        <caption class="visually-hidden">Next fire of each enabled job in the next 24 hours</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Next fire</th>
            <th scope="col">
              Now <span aria-hidden="true">→</span> +24 h
            </th>
          </tr>
        </thead>
        <tbody>
          {props.fires.map((fire) => {
            const x = Math.min(1000, Math.max(0, ((Date.parse(fire.next_run_at) - start) / span) * 1000));
            return (
              <tr>
                <th scope="row" data-label="Job">
                  <a href={`/admin/jobs/${fire.job_id}`}>{fire.name}</a>
                </th>
                <td data-label="Next fire">
                  {formatWhen(fire.next_run_at)} <code>{fire.cron}</code>
                </td>
                <td data-label="Within 24 h">
                  <svg viewBox="0 0 1000 20" preserveAspectRatio="none" class="track" aria-hidden="true">
                    {[250, 500, 750].map((hx) => (
                      <line class="grid" x1={hx} x2={hx} y1="0" y2="20" vector-effect="non-scaling-stroke" />
                    ))}
                    <line class="axis" x1="0" x2="1000" y1="10" y2="10" vector-effect="non-scaling-stroke" />
                    <line
                      class="fire"
                      x1={x.toFixed(1)}
                      x2={x.toFixed(1)}
                      y1="1"
                      y2="19"
                      vector-effect="non-scaling-stroke"
                    />
                  </svg>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function DashboardPage(props: { chrome: PageChrome; assetVersion: string; dashboard: DashboardView }) {
  const { dashboard } = props;
  return (
    <AdminLayout
      title="Dashboard"
      chrome={props.chrome}
      section="dashboard"
      assetVersion={props.assetVersion}
    >
      <h1>Dashboard</h1>
      <p class="hint">The last 24 hours, as of {formatWhen(dashboard.now)}. Reload for newer numbers.</p>
      <section aria-labelledby="per-hour">
        <h2 id="per-hour">Runs per hour</h2>
        <RunsPerHour hours={dashboard.hours} />
      </section>
      <div class="two-columns">
        <section aria-labelledby="slowest">
          <h2 id="slowest">Slowest jobs</h2>
          <Slowest jobs={dashboard.slowest} />
        </section>
        <section aria-labelledby="failing">
          <h2 id="failing">Most failing jobs</h2>
          <Failing jobs={dashboard.failing} />
        </section>
      </div>
      <section aria-labelledby="next-fires">
        <h2 id="next-fires">Next fires</h2>
        <NextFires fires={dashboard.nextFires} now={dashboard.now} />
      </section>
    </AdminLayout>
  );
}
