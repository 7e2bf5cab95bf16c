import type { PageProps } from '../app';
import { ticketApi } from '../api/ticket';
import { Loading, ProblemNote, StaleNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { TurnBanner } from '../components/turn-banner';
import { useResource } from '../components/use-resource';
import { formatDateTime } from '../domain/format';
import { href } from '../routes';

export function ConcertsPage(_: PageProps) {
  const concerts = useResource(() => ticketApi.concerts(), []);
  return (
    <section>
      <PageTitle>Concerts</PageTitle>
      <TurnBanner />
      <StaleNote stale={concerts.stale} />
      <ProblemNote problem={concerts.problem} autoRetry />
      {concerts.loading && !concerts.data && <Loading what="concerts" />}
      {concerts.data && concerts.data.length === 0 && <p>No concerts on sale right now.</p>}
      <ul class="cards" aria-label="Concerts on sale">
        {concerts.data?.map((concert) => (
          <li class="card" key={concert.id}>
            <h2>
              <a href={href('showtimes', { concertId: concert.id })}>{concert.name}</a>
            </h2>
            <p>{concert.performer}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ShowtimesPage({ params }: PageProps) {
  const concertId = Number(params.concertId);
  const showtimes = useResource(() => ticketApi.showtimes(concertId), [concertId], { pollMs: 10_000 });
  const concerts = useResource(() => ticketApi.concerts(), []);
  const concert = concerts.data?.find((one) => one.id === concertId);
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('concerts')}>Concerts</a>
      </p>
      <PageTitle>{concert ? `${concert.name}: showtimes` : 'Showtimes'}</PageTitle>
      {concert && <p class="lead">{concert.performer}</p>}
      <TurnBanner />
      <StaleNote stale={showtimes.stale} />
      <ProblemNote problem={showtimes.problem} autoRetry />
      {showtimes.loading && !showtimes.data && <Loading what="showtimes" />}
      {showtimes.data && showtimes.data.length === 0 && <p>This concert has no showtimes on sale.</p>}
      {showtimes.data && showtimes.data.length > 0 && (
        <table class="table">
          <caption class="visually-hidden">Showtimes and free seats</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Where</th>
              <th scope="col">Free seats</th>
              <th scope="col">
                <span class="visually-hidden">Seats</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {showtimes.data.map((showtime) => (
              <tr key={showtime.id}>
                <td>{formatDateTime(showtime.startsAt)}</td>
                <td>{showtime.venue}</td>
                <td>{showtime.availableSeats}</td>
                <td>
                  <a
                    class="button small"
                    href={href('seatMap', { concertId, showtimeId: showtime.id })}
                    aria-label={`Choose seats for ${formatDateTime(showtime.startsAt)}`}
                  >
                    Choose seats
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
