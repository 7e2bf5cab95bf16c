import { useState } from 'preact/hooks';
import { alarmApi } from '../api/alarm';
import type { ItemView } from '../api/item';
import { ProblemNote } from './notes';
import { useAction } from './use-resource';

/**
 * An item's alarm, on or off. The list the item service returns catches up with a change a moment later
 * (it reads a replica), so the toggle keeps what the alarm service accepted.
 */
export function AlarmToggle({ item }: { item: ItemView }) {
  const [on, setOn] = useState<boolean | undefined>(undefined);
  const isOn = on ?? item.is_alarm_set;
  const change = useAction(async () => {
    if (isOn) await alarmApi.clear(item.id);
    else await alarmApi.set(item.id);
    setOn(!isOn);
  });
  return (
    <div class="alarm-toggle">
      <button
        type="button"
        class={`toggle${isOn ? ' on' : ''}`}
        aria-pressed={isOn}
        disabled={change.busy}
        onClick={() => void change.run()}
        data-item-id={item.id}
      >
        <BellIcon on={isOn} />
        Alarm<span class="visually-hidden"> for {item.name}</span>
        <span class="toggle-state" aria-hidden="true">
          {isOn ? 'on' : 'off'}
        </span>
      </button>
      <ProblemNote problem={change.problem} />
    </div>
  );
}

/** A bell, struck through when off: the state shows without colour (emoji fonts are not everywhere). */
function BellIcon({ on }: { on: boolean }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0"
        fill={on ? 'currentColor' : 'none'}
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
      />
      {!on && <path d="M4 4l16 16" stroke="currentColor" stroke-width="2" stroke-linecap="round" />}
    </svg>
  );
}
