import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { queueApi, type Room, type RoomAction } from '../api/queue';
import { ActionForm } from '../components/action-form';
import { DataTable, type Column } from '../components/data-table';
import { Field, WholeNumberField } from '../components/field';
import { ProblemNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatWait, wholeNumberIn } from '../domain/format';

const STATUS_WORDS: Record<Room['status'], string> = {
  CREATED: 'Not open yet',
  PRE_QUEUE: 'Pre-queue (sale not started)',
  OPEN: 'Open',
  SUSPENDED: 'Suspended',
  CLOSED: 'Closed',
};

/** What an operator may do to a room in each state (CREATED → OPEN ⇄ SUSPENDED → CLOSED). */
const ACTIONS: Record<Room['state'], [RoomAction, string][]> = {
  CREATED: [
    ['open', 'Open'],
    ['close', 'Close'],
  ],
  OPEN: [
    ['suspend', 'Suspend'],
    ['close', 'Close'],
  ],
  SUSPENDED: [
    ['open', 'Resume'],
    ['close', 'Close'],
  ],
  CLOSED: [],
};

const optional = (text: string, min: number, max: number) =>
  text.trim() === '' ? null : wholeNumberIn(text, min, max);

function roomColumns(change: (room: Room, action: RoomAction) => void, busy: boolean): Column<Room>[] {
  return [
    { header: 'Room', cell: (room) => room.name },
    { header: 'Concert', cell: (room) => (room.concertId === null ? 'All others' : `#${room.concertId}`) },
    {
      header: 'Status',
      cell: (room) => (
        <span class={`badge room-${room.status.toLowerCase()}`}>
          {STATUS_WORDS[room.status]}
          {room.status === 'PRE_QUEUE' && room.saleStartsAt ? `, opens ${formatDateTime(room.saleStartsAt)}` : ''}
        </span>
      ),
    },
    { header: 'Waiting', numeric: true, cell: (room) => room.waiting },
    { header: 'Active', numeric: true, cell: (room) => `${room.active} / ${room.maxActive}` },
    {
      header: 'Admitted per minute',
      numeric: true,
      cell: (room) => (room.admittedPerMinute === null ? '–' : room.admittedPerMinute.toFixed(1)),
    },
    { header: 'Admitted', numeric: true, cell: (room) => room.admittedTotal },
    { header: 'Abandoned', numeric: true, cell: (room) => room.abandonedTotal },
    {
      header: 'Line drains in',
      cell: (room) =>
        room.drainSeconds === null
          ? 'not known yet'
          : room.drainSeconds === 0
            ? 'nobody waits'
            : formatWait(room.drainSeconds),
    },
    {
      header: 'Actions',
      hiddenHeader: true,
      cell: (room) =>
        room.id === 'default'
          ? null
          : ACTIONS[room.state].map(([action, label]) => (
              <button
                type="button"
                class="secondary small"
                key={action}
                disabled={busy}
                aria-label={`${label} ${room.name}`}
                onClick={() => change(room, action)}
              >
                {label}
              </button>
            )),
    },
  ];
}

/** The operator's waiting rooms: one per concert on sale, its settings at creation, and its line live. */
export function OpsRoomsPage(_: PageProps) {
  const rooms = useResource(() => queueApi.rooms(), [], { pollMs: 5_000 });
  const [name, setName] = useState('');
  const [concertId, setConcertId] = useState('');
  const [maxActive, setMaxActive] = useState('100');
  const [ratePerMinute, setRatePerMinute] = useState('');
  const [sessionMinutes, setSessionMinutes] = useState('10');
  const [maxWaiting, setMaxWaiting] = useState('');
  const [saleStartsAt, setSaleStartsAt] = useState('');
  const [method, setMethod] = useState<'fifo' | 'random'>('random');
  const [openNow, setOpenNow] = useState(true);

  const settings = {
    concertId: wholeNumberIn(concertId, 1, 2_147_483_647),
    maxActive: wholeNumberIn(maxActive, 1, 1_000_000),
    admissionRatePerMinute: optional(ratePerMinute, 1, 1_000_000),
    sessionMinutes: wholeNumberIn(sessionMinutes, 1, 1_440),
    maxWaiting: optional(maxWaiting, 1, 10_000_000),
  };
  const saleOk = saleStartsAt === '' || !Number.isNaN(Date.parse(saleStartsAt));
  const valid = name.trim() !== '' && saleOk && Object.values(settings).every((value) => value !== undefined);

  const create = useAction(async () => {
    await queueApi.createRoom({
      name: name.trim(),
      concertId: settings.concertId!,
      maxActive: settings.maxActive!,
      admissionRatePerMinute: settings.admissionRatePerMinute,
      sessionSeconds: settings.sessionMinutes! * 60,
      maxWaiting: settings.maxWaiting,
      queueingMethod: method,
      saleStartsAt: saleStartsAt === '' ? null : new Date(saleStartsAt).toISOString(),
      state: openNow ? 'OPEN' : 'CREATED',
    });
    setName('');
    setConcertId('');
    rooms.reload();
  });
  const change = useAction(async (room: Room, action: RoomAction) => {
    await queueApi.changeRoom(room.id, action);
    rooms.reload();
  });

  return (
    <section>
      <PageTitle>Waiting rooms</PageTitle>
      <p class="lead">
        A concert with a room of its own has its own line; every other concert shares the default room&apos;s.
      </p>
      <ResourceNotes of={[rooms]} loading="the rooms" />
      <ProblemNote problem={change.problem} />
      {rooms.data && (
        <DataTable
          data-testid="rooms"
          caption="Waiting rooms and their lines"
          columns={roomColumns((room, action) => void change.run(room, action), change.busy)}
          rows={rooms.data}
          rowKey={(room) => room.id}
          rowAttributes={(room) => ({ 'data-room-status': room.status })}
        />
      )}
      <ActionForm
        class="panel"
        action={create}
        onSubmit={() => void create.run()}
        valid={valid}
        submit="Create room"
        busy="Creating…"
      >
        <h2>New room</h2>
        <Field id="room-name" label="Room name" required maxLength={200} value={name} onValue={setName} />
        <WholeNumberField
          id="room-concert"
          label="Concert id"
          min={1}
          max={2_147_483_647}
          value={concertId}
          onValue={setConcertId}
        />
        <WholeNumberField
          id="room-max-active"
          label="Buyers inside at most"
          min={1}
          max={1_000_000}
          value={maxActive}
          onValue={setMaxActive}
        />
        <WholeNumberField
          id="room-rate"
          label="Let in per minute (empty: as fast as places free up)"
          min={1}
          max={1_000_000}
          value={ratePerMinute}
          onValue={setRatePerMinute}
        />
        <WholeNumberField
          id="room-session"
          label="Minutes each buyer has inside"
          min={1}
          max={1_440}
          value={sessionMinutes}
          onValue={setSessionMinutes}
        />
        <WholeNumberField
          id="room-max-waiting"
          label="Longest line (empty: no limit; beyond it newcomers are told to come back)"
          min={1}
          max={10_000_000}
          value={maxWaiting}
          onValue={setMaxWaiting}
        />
        <Field
          id="room-sale-starts"
          label="Sale opens at (your local time; empty: as soon as the room opens)"
          type="datetime-local"
          value={saleStartsAt}
          onValue={setSaleStartsAt}
        />
        <div class="field">
          <label for="room-method">Order of those who arrive before the sale opens</label>
          <select
            id="room-method"
            value={method}
            onChange={(event) => setMethod(event.currentTarget.value as 'fifo' | 'random')}
          >
            <option value="random">Drawn at random at the opening (fair to everyone who came early)</option>
            <option value="fifo">In order of arrival</option>
          </select>
        </div>
        <div class="field checkbox">
          <input
            id="room-open-now"
            type="checkbox"
            checked={openNow}
            onChange={(event) => setOpenNow(event.currentTarget.checked)}
          />
          <label for="room-open-now">Open it now (buyers may join; admission starts at the sale time)</label>
        </div>
      </ActionForm>
    </section>
  );
}
