import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { countGaEvents, insertGaEvent } from '../db/ga-events.repo';
import { countConcerts, insertConcert, insertSeats, insertShowtime } from '../db/seating.repo';

const CONCERTS = [
  {
    name: 'IU HEREH World Tour',
    performer: 'IU',
    venue: 'KSPO Dome, Seoul',
    dates: ['2047-10-21T19:00:00+09:00', '2047-10-22T18:00:00+09:00'],
  },
  {
    name: 'Seventeen Follow Again',
    performer: 'SEVENTEEN',
    venue: 'Gocheok Sky Dome, Seoul',
    dates: ['2047-11-08T18:00:00+09:00', '2047-11-09T17:00:00+09:00'],
  },
  {
    name: 'Jazz at Sejong',
    performer: 'Sejong Jazz Orchestra',
    venue: 'Sejong Center, Seoul',
    dates: ['2047-12-01T19:30:00+09:00', '2047-12-02T19:30:00+09:00'],
  },
];

const GA_EVENTS = [
  {
    name: 'Rocket to Mars',
    description:
      "I'm nobody's taxi service; I'm not gonna be there to catch you every time you feel like jumping out of a spaceship.",
    date: '2047-10-21T09:00:00Z',
    availability: 100,
  },
  {
    name: 'Busan Sea Festival',
    description: 'General admission to the beach stage, all day.',
    date: '2047-08-02T10:00:00+09:00',
    availability: 1000,
  },
  {
    name: 'Hangang Night Market',
    description: 'Entry wristband for the night market by the river.',
    date: '2047-06-14T18:00:00+09:00',
    availability: 300,
  },
];

/** 500 seats: rows A–T of 25, the front five rows dearer. */
const seatMap = () =>
  Array.from({ length: 500 }, (_, index) => {
    const row = String.fromCharCode(65 + Math.floor(index / 25));
    return { seatNo: `${row}${(index % 25) + 1}`, price: index < 125 ? 150_000 : 99_000 };
  });

/** Demo data on first start only (empty tables): 3 concerts × 2 showtimes × 500 seats, and 3 GA events. */
export async function loadDemoData(pool: Pool): Promise<{ concerts: number; gaEvents: number }> {
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE concerts, ga_events IN EXCLUSIVE MODE'); // two instances starting together load once
    let concerts = 0;
    let gaEvents = 0;
    if ((await countConcerts(tx)) === 0) {
      for (const demo of CONCERTS) {
        const concert = await insertConcert(tx, demo);
        for (const startsAt of demo.dates) {
          const showtime = await insertShowtime(tx, {
            concertId: concert.id,
            startsAt,
            venue: demo.venue,
            salesOpenAt: null,
          });
          await insertSeats(tx, showtime.id, seatMap());
        }
        concerts++;
      }
    }
    if ((await countGaEvents(tx)) === 0) {
      for (const demo of GA_EVENTS) {
        await insertGaEvent(tx, demo);
        gaEvents++;
      }
    }
    return { concerts, gaEvents };
  });
}
