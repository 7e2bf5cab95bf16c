import { session } from '../api/session';
import { Countdown } from './countdown';

/** On the concert pages: how long the buyer's turn lasts (the ACTIVE time the waiting room reported). */
export function TurnBanner() {
  const activeUntil = session.place()?.activeUntil;
  if (!activeUntil) return null;
  return (
    <div class="turn-banner">
      <Countdown until={activeUntil} label="Your turn ends in" />
    </div>
  );
}
