import type { Series } from '../domain/metrics';

const COLORS = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4b5563'];

const format = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2);

/**
 * Lines over the last minutes, drawn as plain SVG (no chart library; nothing inline for the CSP to refuse).
 * The latest value of every line is also written out, which is what a screen reader gets.
 */
export function Sparkline({ series, unit, label }: { series: Series[]; unit: string; label: string }) {
  const width = 300;
  const height = 80;
  const all = series.flatMap((line) => line.points);
  if (all.length === 0) return <p class="hint">No data yet: the first figures appear after two readings.</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const top = Math.max(...all.map((p) => p.v), 1e-9);
  const x = (t: number) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * width);
  const y = (v: number) => height - 4 - (v / top) * (height - 8);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${label}, last few minutes`}
        preserveAspectRatio="none"
      >
        {series.map((line, index) =>
          line.points.length === 1 ? (
            <circle
              key={line.key}
              cx={x(line.points[0]!.t)}
              cy={y(line.points[0]!.v)}
              r="3"
              fill={COLORS[index % COLORS.length]}
            />
          ) : (
            <polyline
              key={line.key}
              fill="none"
              stroke={COLORS[index % COLORS.length]}
              stroke-width="2"
              vector-effect="non-scaling-stroke"
              points={line.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
            />
          ),
        )}
      </svg>
      <figcaption>
        <ul class="chart-values">
          {series.map((line, index) => {
            const last = line.points.at(-1);
            return (
              <li key={line.key}>
                <span class="swatch" style={{ background: COLORS[index % COLORS.length] }} aria-hidden="true" />
                {line.key}: <strong>{last ? format(last.v) : '–'}</strong> {unit}
              </li>
            );
          })}
        </ul>
      </figcaption>
    </figure>
  );
}

export const SWATCH_COLORS = COLORS;
