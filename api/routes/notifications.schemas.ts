import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../domain/notifications';

export const NotificationsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const NotificationList = z
  .strictObject({
    items: z.array(
      z.strictObject({
        id: z.string(),
        kind: z.enum(NOTIFICATION_KINDS),
        title: z.string(),
        body: z.string(),
        projectId: z.string(),
        milestoneId: z.string(),
        disputeId: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'Notifications' });
