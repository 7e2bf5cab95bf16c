import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { ticketApi, type Concert, type Showtime } from '../api/ticket';
import { Field } from '../components/field';
import { PageTitle } from '../components/page-title';
import { useAction } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { expandPlan, planProblems, rowLabel, type SeatPlan } from '../domain/showtime-plan';
import { ActionForm } from '../components/action-form';

/** What this browser created (the ticket service has no admin list yet; buyers see everything on sale). */
const CREATED_KEY = 'boxoffice.ops.created';
interface Created {
  concert: Concert;
  showtimes: Showtime[];
}
const readCreated = (): Created[] => {
  try {
    return JSON.parse(localStorage.getItem(CREATED_KEY) ?? '[]') as Created[];
  } catch {
    return [];
  }
};

const PLAN_FIELDS: [keyof SeatPlan, string, number][] = [
  ['rows', 'Rows', 1],
  ['seatsPerRow', 'Seats per row', 1],
  ['frontRows', 'Front rows at the higher price', 0],
  ['frontPrice', 'Front price (points)', 0],
  ['price', 'Other seats (points)', 0],
];

const toNumber = (value: string) => (value.trim() === '' ? NaN : Number(value));

export function OpsConcertsPage(_: PageProps) {
  const [created, setCreated] = useState<Created[]>(readCreated);
  const remember = (next: Created[]) => {
    localStorage.setItem(CREATED_KEY, JSON.stringify(next.slice(0, 20)));
    setCreated(next);
  };

  const [name, setName] = useState('');
  const [performer, setPerformer] = useState('');
  const createConcert = useAction(async () => {
    const concert = (await ticketApi.createConcert(name.trim(), performer.trim())).body;
    remember([{ concert, showtimes: [] }, ...created]);
    setConcertId(String(concert.id));
    setName('');
    setPerformer('');
  });

  const [concertId, setConcertId] = useState(created[0] ? String(created[0].concert.id) : '');
  const [startsAt, setStartsAt] = useState('');
  const [venue, setVenue] = useState('');
  const [plan, setPlan] = useState({
    rows: '20',
    seatsPerRow: '25',
    frontRows: '5',
    frontPrice: '150000',
    price: '99000',
  });
  const numericPlan: SeatPlan = {
    rows: toNumber(plan.rows),
    seatsPerRow: toNumber(plan.seatsPerRow),
    frontRows: toNumber(plan.frontRows),
    frontPrice: toNumber(plan.frontPrice),
    price: toNumber(plan.price),
  };
  const problems = planProblems(numericPlan);
  const planOk = Object.keys(problems).length === 0;
  const whenOk = startsAt !== '' && !Number.isNaN(Date.parse(startsAt));
  const [done, setDone] = useState<string>();

  const createShowtime = useAction(async () => {
    const id = Number(concertId);
    const showtime = (
      await ticketApi.createShowtime(id, {
        starts_at: new Date(startsAt).toISOString(),
        venue: venue.trim(),
        seats: expandPlan(numericPlan),
      })
    ).body;
    remember(
      created.some((entry) => entry.concert.id === id)
        ? created.map((entry) =>
            entry.concert.id === id ? { ...entry, showtimes: [...entry.showtimes, showtime] } : entry,
          )
        : created,
    );
    setDone(
      `Showtime created: ${formatDateTime(showtime.startsAt)} at ${showtime.venue}, ${showtime.availableSeats} seats.`,
    );
  });

  const setPlanField = (field: keyof typeof plan) => (event: Event) =>
    setPlan({ ...plan, [field]: (event.currentTarget as HTMLInputElement).value });

  return (
    <section>
      <PageTitle>Concerts and showtimes</PageTitle>
      <div class="two-columns">
        <ActionForm
          class="panel"
          action={createConcert}
          onSubmit={() => void createConcert.run()}
          submit="Create concert"
          busy="Creating…"
        >
          <h2>New concert</h2>
          <Field id="concert-name" label="Name" required maxLength={200} value={name} onValue={setName} />
          <Field
            id="concert-performer"
            label="Performer"
            required
            maxLength={200}
            value={performer}
            onValue={setPerformer}
          />
        </ActionForm>

        <div class="panel">
          <ActionForm
            action={createShowtime}
            onSubmit={() => void createShowtime.run()}
            valid={planOk && whenOk && concertId !== ''}
            submit="Create showtime"
            busy="Creating…"
          >
            <h2>New showtime with its seat map</h2>
            <div class="field">
              <label for="showtime-concert">Concert</label>
              <select
                id="showtime-concert"
                required
                value={concertId}
                onChange={(e) => setConcertId(e.currentTarget.value)}
              >
                <option value="">Choose a concert</option>
                {created.map((entry) => (
                  <option value={entry.concert.id} key={entry.concert.id}>
                    {entry.concert.name} (#{entry.concert.id})
                  </option>
                ))}
              </select>
            </div>
            <Field
              id="showtime-starts"
              label="Starts at (your local time)"
              type="datetime-local"
              required
              value={startsAt}
              onValue={setStartsAt}
            />
            <Field id="showtime-venue" label="Venue" required maxLength={200} value={venue} onValue={setVenue} />
            <fieldset>
              <legend>Seat map</legend>
              <div class="plan-grid">
                {PLAN_FIELDS.map(([field, label, min]) => (
                  <Field
                    key={field}
                    id={`plan-${field}`}
                    label={label}
                    type="number"
                    min={min}
                    step={1}
                    value={plan[field]}
                    onInput={setPlanField(field)}
                    error={problems[field]}
                  />
                ))}
              </div>
              {planOk && (
                <p class="hint" data-testid="plan-summary">
                  {numericPlan.rows * numericPlan.seatsPerRow} seats, rows A–{rowLabel(numericPlan.rows - 1)}, numbered
                  1–
                  {numericPlan.seatsPerRow}; {numericPlan.frontRows} front row{numericPlan.frontRows === 1 ? '' : 's'}{' '}
                  at {formatPoints(numericPlan.frontPrice)}, the rest at {formatPoints(numericPlan.price)}.
                </p>
              )}
            </fieldset>
          </ActionForm>
          {done && (
            <p class="note note-ok" role="status">
              {done}
            </p>
          )}
        </div>
      </div>

      <h2>Created here</h2>
      {created.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <ul class="created" data-testid="created-concerts">
          {created.map((entry) => (
            <li key={entry.concert.id}>
              <strong>{entry.concert.name}</strong> by {entry.concert.performer} (#{entry.concert.id})
              {entry.showtimes.length > 0 && (
                <ul>
                  {entry.showtimes.map((showtime) => (
                    <li key={showtime.id}>
                      {formatDateTime(showtime.startsAt)}, {showtime.venue}: {showtime.availableSeats} seats
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
