import { useEffect, useState } from 'preact/hooks';
import { formatClock, secondsUntil } from '../domain/format';

/** Time left until `until`, every second; `onEnd` once it reaches zero. */
export function useSecondsUntil(until: string | undefined, onEnd?: () => void): number | undefined {
  const [left, setLeft] = useState(() => (until ? secondsUntil(until) : undefined));
  useEffect(() => {
    if (!until) return setLeft(undefined);
    let ended = false;
    const tick = () => {
      const seconds = secondsUntil(until);
      setLeft(seconds);
      if (seconds <= 0 && !ended) {
        ended = true;
        onEnd?.();
      }
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return left;
}

export function Countdown({ until, label, onEnd }: { until: string; label: string; onEnd?: () => void }) {
  const left = useSecondsUntil(until, onEnd) ?? 0;
  const urgent = left < 60;
  return (
    <p class={`countdown${urgent ? ' urgent' : ''}`}>
      <span>{label}</span>{' '}
      <time role="timer" dateTime={until} aria-label={`${label} ${Math.ceil(left / 60)} minutes`}>
        {formatClock(left)}
      </time>
    </p>
  );
}
