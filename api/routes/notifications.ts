import { z } from 'zod';
import { listNotifications } from '../../db/notifications';
import type { Db } from '../../db/pool';
import type { ApiRoutes } from '../route';

const NotificationList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
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

export function notificationRoutes(routes: ApiRoutes, { db }: { db: Db }): void {
  routes.add({
    route: 'GET /v1/me/notifications',
    summary: "The caller's in-app notifications, newest first",
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: { 200: { description: 'notifications', schema: NotificationList } },
    handler: async ({ user, query }) => ({ status: 200, body: { items: await listNotifications(db, user.id, query.limit) } }),
  });
}
