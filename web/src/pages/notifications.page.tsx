import type { PageProps } from '../app';
import { alarmApi } from '../api/alarm';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useResource } from '../components/use-resource';
import { formatDateTime } from '../domain/format';

export function NotificationsPage(_: PageProps) {
  const inbox = useResource(() => alarmApi.notifications(), [], { pollMs: 5_000 });
  return (
    <section class="narrow">
      <PageTitle>Notifications</PageTitle>
      <p class="hint">Messages about your orders, payments and seats (sent by e-mail or SMS, shown here too).</p>
      <ResourceNotes of={[inbox]} loading="your notifications" />
      {inbox.data && inbox.data.count === 0 && <p>Nothing yet.</p>}
      {inbox.data && inbox.data.count > 0 && (
        <ul class="inbox" aria-label="Notifications, newest first">
          {inbox.data.payload.map((note) => (
            <li key={note.id} class="card">
              <h2 class="inbox-subject">{note.subject}</h2>
              <p>{note.message}</p>
              <p class="hint">
                {note.notificationType === 'sms' ? 'SMS' : 'E-mail'} ·{' '}
                <time dateTime={note.createdAt}>{formatDateTime(note.createdAt)}</time>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
