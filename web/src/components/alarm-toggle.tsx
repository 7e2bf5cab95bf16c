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
        aria-label={`Alarm for ${item.name}`}
        data-item-id={item.id}
      >
        <span aria-hidden="true">{isOn ? '🔔' : '🔕'}</span> {isOn ? 'Alarm on' : 'Alarm off'}
      </button>
      <ProblemNote problem={change.problem} />
    </div>
  );
}
