import { z } from 'zod';
import { Amount, Text } from '../schemas/common';

export const BonusBody = z
  .strictObject({
    amount: Amount.meta({ description: 'paid on top of the milestones, released to the provider once funded (commission applies, no escrow fee)' }),
    message: Text(2000),
  })
  .meta({ id: 'Bonus' });
