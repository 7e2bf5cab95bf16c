import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { asProblem, type ApiProblem } from '../api/problem';
import { queueApi, watchStanding, type QueueStanding } from '../api/queue';
import { session } from '../api/session';
import { ProblemNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { followCredentialProblem } from '../components/use-resource';
import { formatDateTime, formatWait } from '../domain/format';
import { href } from '../routes';
import { navigate, safeNext } from '../router';

/**
 * The waiting room: where the buyer stands, how long it may take, and the way in once admitted. The place is
 * the token kept in localStorage, so a reload or a new tab keeps it; arriving without one joins the line.
 */
/** The concert whose waiting room the page is for (`?concert=`), or null for the default room's line. */
function concertAsked(query: URLSearchParams): number | null {
  const asked = Number(query.get('concert'));
  return Number.isInteger(asked) && asked > 0 ? asked : null;
}

/** The kept place, if it is one for this concert's line (a place in another concert's room admits nowhere here). */
function keptPlaceFor(concertId: number | null): string | undefined {
  const place = session.place();
  if (!place) return undefined;
  return concertId === null || place.concertId === concertId ? place.token : undefined;
}

/** What the room itself is doing, when that is why the line does not move. */
function RoomState({ standing }: { standing: QueueStanding }) {
  if (standing.roomStatus === 'PRE_QUEUE')
    return (
      <p class="note" data-room-status="PRE_QUEUE">
        The sale opens {standing.saleStartsAt ? <strong>{formatDateTime(standing.saleStartsAt)}</strong> : 'soon'}.
        Everyone who is here before then is in the line when it opens, so arriving early gives no advantage and there is
        no need to hurry: keep this page open.
      </p>
    );
  if (standing.roomStatus === 'SUSPENDED')
    return (
      <p class="note note-warn" data-room-status="SUSPENDED">
        Admission is paused for a moment by the organiser. You keep your place; the line moves again when it resumes.
      </p>
    );
  return null;
}

/** One place per concert's line: moving to another concert's line starts that page afresh. */
export function WaitingRoomPage(props: PageProps) {
  return <WaitingRoom key={concertAsked(props.query) ?? 'default'} {...props} />;
}

function WaitingRoom({ query, user }: PageProps) {
  const next = safeNext(query.get('next'), href('concerts'));
  const concertId = concertAsked(query);
  const [standing, setStanding] = useState<QueueStanding>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [token, setToken] = useState(() => keptPlaceFor(concertId));
  const [joining, setJoining] = useState(false);

  const join = async () => {
    if (!user) return;
    setJoining(true);
    setProblem(undefined);
    try {
      const issued = await queueApi.join(user.id, concertId);
      session.setQueueToken(issued.body.token, concertId);
      setStanding(issued.body);
      setToken(issued.body.token);
    } catch (error) {
      const found = asProblem(error);
      if (!followCredentialProblem(found)) setProblem(found);
    } finally {
      setJoining(false);
    }
  };

  useEffect(() => {
    if (!token) {
      void join();
      return;
    }
    return watchStanding(
      (now) => {
        setProblem(undefined);
        setStanding(now);
        if (now.status === 'ACTIVE') {
          session.setActiveUntil(now.expiresAt);
          navigate(next, { replace: true });
        }
      },
      (error) => {
        const found = asProblem(error);
        if (found.kind === 'queue-ended') {
          // a token the queue no longer knows (or a forged one): this place is gone, a new one is needed
          session.setQueueToken(undefined);
          setStanding(undefined);
          setToken(undefined);
          return;
        }
        if (!followCredentialProblem(found)) setProblem(found);
      },
      { token },
    );
  }, [token]);

  const waiting = standing?.status === 'WAITING';
  const ended = standing?.status === 'EXPIRED';
  return (
    <section class="narrow waiting-room">
      <PageTitle>Waiting room</PageTitle>
      <p class="lead">
        Everyone gets in in the order they arrived, a few at a time, so the seat map stays fast and fair.
      </p>
      <ProblemNote problem={problem} autoRetry={Boolean(token)} onRetry={token ? undefined : () => void join()} />
      {!standing && !problem && (
        <p role="status" class="loading">
          {joining ? 'Joining the line…' : 'Finding your place…'}
        </p>
      )}
      {waiting && (
        <div class="standing" aria-live="polite" aria-atomic="true">
          <p class="status-badge" data-queue-status="WAITING">
            Status: waiting
          </p>
          <p class="big-number">
            {standing.waitingNo === 0 ? (
              <>You are next in line</>
            ) : (
              <>
                <span data-testid="waiting-no">{standing.waitingNo}</span>{' '}
                {standing.waitingNo === 1 ? 'person' : 'people'} ahead of you
              </>
            )}
          </p>
          {typeof standing.estimatedWaitSeconds === 'number' && (
            <p>
              Estimated wait: <strong>{formatWait(standing.estimatedWaitSeconds)}</strong>, at the pace the line has
              moved lately.
            </p>
          )}
          {standing.estimatedWaitSeconds === null && (
            <p>Estimated wait: not known yet (the line has not moved enough to tell).</p>
          )}
          <RoomState standing={standing} />
        </div>
      )}
      {waiting && (
        <p class="hint">
          Your place is saved on this device: you can reload or come back to this page. Keep it open so we know you are
          still here; you go straight to the concerts when it is your turn.
        </p>
      )}
      {standing?.status === 'ACTIVE' && (
        <p class="status-badge" data-queue-status="ACTIVE" role="status">
          It is your turn. <a href={next}>Continue</a>
        </p>
      )}
      {ended && (
        <div class="note note-warn" data-queue-status="EXPIRED">
          <p>Your place has ended: its time ran out, or your purchase was completed.</p>
          <button
            type="button"
            onClick={() => {
              session.setQueueToken(undefined);
              setStanding(undefined);
              setToken(undefined);
            }}
            disabled={joining}
          >
            Join the line again
          </button>
        </div>
      )}
    </section>
  );
}
