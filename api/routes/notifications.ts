import { listNotifications } from '../../db/notifications';
import type { Db } from '../../db/pool';
import type { ApiRoutes } from '../route';
import { NotificationList, NotificationsQuery } from './notifications.schemas';

export function notificationRoutes(routes: ApiRoutes, { db }: { db: Db }): void {
  routes.add({
    route: 'GET /v1/me/notifications',
    summary: "The caller's in-app notifications, newest first",
    query: NotificationsQuery,
    responses: { 200: { description: 'notifications', schema: NotificationList } },
  }).handle(async ({ user, query }) => ({ status: 200, body: { items: await listNotifications(db, user.id, query.limit) } }));
}
