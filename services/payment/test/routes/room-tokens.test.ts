import { queueRoomOf } from '@boxoffice/testing';
import type { TestUser } from '../support/payment-kit';
import { TicketStack } from '../support/ticket-stack';

const PRICE = 9_000;

describe('a ticket is paid only with a token of the waiting room that guards its concert', () => {
  const stack = new TicketStack({ ticket: { SEAT_HOLD_TTL_SECONDS: '300' } });
  const kit = stack.payment;
  let admin: TestUser;
  let sale: { concertId: number; showtimeId: number; seatIds: number[] };

  beforeAll(async () => {
    await stack.start();
    [admin] = (await stack.users(1, 'admin')) as [TestUser];
    sale = await stack.showtime(admin!, 5, PRICE);
    await queueRoomOf(stack.queueUrl, admin!, { concertId: sale.concertId });
  });
  afterAll(() => stack.stop());

  it("when a hold of a roomed concert is paid with the payer's default-room token, then 403 WrongRoom and nothing is charged; with the room's token it is paid", async () => {
    const [buyer] = await stack.users(1);
    await kit.call('POST', '/points', { user: buyer, body: { point: 20_000, pointType: 'CHARGE' } });
    const roomToken = await stack.queueToken(buyer!, 'ACTIVE', { concertId: sale.concertId });
    const ticket = await stack.hold(roomToken, sale.showtimeId, sale.seatIds[0]!);
    const defaultToken = await stack.queueToken(buyer!);

    const refused = await kit.call('POST', '/payments', {
      headers: { authorization: `Bearer ${defaultToken}` },
      body: { ticket_id: ticket.id },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errors.detail).toEqual([
      expect.objectContaining({ error: 'WrongRoom', tokenRoomId: 'default', concertId: sale.concertId }),
    ]);
    expect((await kit.call('GET', '/points', { user: buyer })).body.balance).toBe(20_000);
    expect((await stack.internalTicket(ticket.id)).body).toMatchObject({ status: 'HELD', concertId: sale.concertId });

    const paid = await kit.call('POST', '/payments', {
      headers: { authorization: `Bearer ${roomToken}` },
      body: { ticket_id: ticket.id },
    });
    expect(paid.status).toBe(201);
    expect((await kit.call('GET', '/points', { user: buyer })).body.balance).toBe(20_000 - PRICE);
  });
});
