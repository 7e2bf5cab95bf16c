import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { paymentApi, type PointTransaction } from '../api/payment';
import { WholeNumberField } from '../components/field';
import { ActionForm } from '../components/action-form';
import { DataTable, type Column } from '../components/data-table';
import { ResourceNotes } from '../components/resource-notes';
import { PageTitle } from '../components/page-title';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints, wholeNumberIn } from '../domain/format';

const QUICK_AMOUNTS = [10_000, 100_000, 300_000];
const WORDS = { CHARGE: 'Top-up', USE: 'Spent', REFUND: 'Refund' } as const;

const HISTORY_COLUMNS: Column<PointTransaction>[] = [
  { header: 'When', cell: (row) => formatDateTime(row.createdAt) },
  { header: 'What', cell: (row) => WORDS[row.pointType] },
  {
    header: 'Points',
    numeric: true,
    cell: (row) => `${row.pointType === 'USE' ? '−' : '+'}${formatPoints(row.amount)}`,
  },
];

export function PointsPage(_: PageProps) {
  const balance = useResource(() => paymentApi.balance(), []);
  const history = useResource(() => paymentApi.pointHistory(), []);
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<string>();
  const points = wholeNumberIn(amount, 1, 1_000_000_000);
  const valid = points !== undefined;

  const topUp = useAction(async (value: number) => {
    const answer = await paymentApi.charge(value);
    setDone(`Added ${formatPoints(value)}. Your balance is ${formatPoints(answer.body.balance)}.`);
    setAmount('');
    balance.reload();
    history.reload();
  });

  return (
    <section class="narrow">
      <PageTitle>Points</PageTitle>
      <ResourceNotes of={[balance, history]} loading="your balance" />
      {balance.data && (
        <p class="big-number">
          <span class="visually-hidden">Balance: </span>
          <span data-testid="balance">{formatPoints(balance.data.balance)}</span>
        </p>
      )}
      <ActionForm
        class="inline-form"
        action={topUp}
        onSubmit={() => points !== undefined && void topUp.run(points)}
        valid={valid}
        submit="Add points"
        busy="Adding…"
      >
        <h2>Top up</h2>
        <div class="quick-amounts">
          {QUICK_AMOUNTS.map((value) => (
            <button
              type="button"
              class="secondary"
              key={value}
              disabled={topUp.busy}
              onClick={() => void topUp.run(value)}
            >
              + {formatPoints(value)}
            </button>
          ))}
        </div>
        <WholeNumberField
          id="top-up-amount"
          label="Other amount (points)"
          min={1}
          max={1_000_000_000}
          value={amount}
          onValue={setAmount}
        />
      </ActionForm>
      {done && (
        <p class="note note-ok" role="status">
          {done}
        </p>
      )}
      <h2>History</h2>
      {history.data && history.data.length === 0 && <p>No points moved yet.</p>}
      {history.data && history.data.length > 0 && (
        <DataTable
          data-testid="point-history"
          caption="Point history, newest first"
          columns={HISTORY_COLUMNS}
          rows={history.data}
          rowKey={(row) => row.transactionId}
        />
      )}
    </section>
  );
}
