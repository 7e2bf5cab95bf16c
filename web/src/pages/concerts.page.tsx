import type { PageProps } from '../app';
import { ticketApi, type Showtime } from '../api/ticket';
import { DataTable, type Column } from '../components/data-table';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { TurnBanner } from '../components/turn-banner';
import { useResource } from '../components/use-resource';
import { formatDateTime } from '../domain/format';
import { href } from '../routes';

function showtimeColumns(concertId: number): Column<Showtime>[] {
  return [
    { header: 'When', cell: (showtime) => formatDateTime(showtime.startsAt) },
    { header: 'Where', cell: (showtime) => showtime.venue },
    { header: 'Free seats', cell: (showtime) => showtime.availableSeats },
    {
      header: 'Seats',
      hiddenHeader: true,
      cell: (showtime) => (
        <a
          class="button small"
          href={href('seatMap', { concertId, showtimeId: showtime.id })}
          aria-label={`Choose seats for ${formatDateTime(showtime.startsAt)}`}
        >
          Choose seats
        </a>
      ),
    },
  ];
}

export function ConcertsPage(_: PageProps) {
  const concerts = useResource(() => ticketApi.concerts(), []);
  return (
    <section>
      <PageTitle>Concerts</PageTitle>
      <TurnBanner />
      <ResourceNotes of={[concerts]} loading="concerts" />
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
      <ResourceNotes of={[showtimes]} loading="showtimes" />
      {showtimes.data && showtimes.data.length === 0 && <p>This concert has no showtimes on sale.</p>}
      {showtimes.data && showtimes.data.length > 0 && (
        <DataTable
          caption="Showtimes and free seats"
          columns={showtimeColumns(concertId)}
          rows={showtimes.data}
          rowKey={(showtime) => showtime.id}
        />
      )}
    </section>
  );
}
