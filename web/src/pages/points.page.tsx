import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { paymentApi } from '../api/payment';
import { Field } from '../components/field';
import { Loading, ProblemNote, StaleNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';

const QUICK_AMOUNTS = [10_000, 100_000, 300_000];
const WORDS = { CHARGE: 'Top-up', USE: 'Spent', REFUND: 'Refund' } as const;

export function PointsPage(_: PageProps) {
  const balance = useResource(() => paymentApi.balance(), []);
  const history = useResource(() => paymentApi.pointHistory(), []);
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<string>();
  const points = Number(amount);
  const valid = Number.isInteger(points) && points >= 1 && points <= 1_000_000_000;

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
      <StaleNote stale={balance.stale || history.stale} />
      <ProblemNote problem={balance.problem ?? history.problem} autoRetry />
      {balance.loading && !balance.data && <Loading what="your balance" />}
      {balance.data && (
        <p class="big-number">
          <span class="visually-hidden">Balance: </span>
          <span data-testid="balance">{formatPoints(balance.data.balance)}</span>
        </p>
      )}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) void topUp.run(points);
        }}
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
        <Field
          id="top-up-amount"
          label="Other amount (points)"
          type="number"
          inputMode="numeric"
          min={1}
          max={1_000_000_000}
          step={1}
          value={amount}
          onInput={(e) => setAmount(e.currentTarget.value)}
          error={amount !== '' && !valid ? 'A whole number from 1 to 1,000,000,000.' : undefined}
        />
        <button type="submit" disabled={!valid || topUp.busy}>
          {topUp.busy ? 'Adding…' : 'Add points'}
        </button>
        <ProblemNote problem={topUp.problem} />
        {done && (
          <p class="note note-ok" role="status">
            {done}
          </p>
        )}
      </form>
      <h2>History</h2>
      {history.data && history.data.length === 0 && <p>No points moved yet.</p>}
      {history.data && history.data.length > 0 && (
        <table class="table" data-testid="point-history">
          <caption class="visually-hidden">Point history, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col" class="number">
                Points
              </th>
            </tr>
          </thead>
          <tbody>
            {history.data.map((row) => (
              <tr key={row.transactionId}>
                <td>{formatDateTime(row.createdAt)}</td>
                <td>{WORDS[row.pointType]}</td>
                <td class="number">
                  {row.pointType === 'USE' ? '−' : '+'}
                  {formatPoints(row.amount)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
