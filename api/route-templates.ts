import type { Request } from 'express';

/** Which route template (`/v1/projects/:projectId`) a path is, and its methods: as Express matches, case-insensitive, with or without a trailing slash. */
export type RouteMatcher = (path: string) => { template: string; methods: Set<string> } | undefined;

export function routeMatcher(routeKeys: readonly string[]): RouteMatcher {
  const templates = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const key of routeKeys) {
    const [method, template] = key.split(' ');
    const entry = templates.get(template) ?? { pattern: new RegExp(`^${template.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`, 'i'), methods: new Set<string>() };
    entry.methods.add(method);
    templates.set(template, entry);
  }
  return (path) => {
    for (const [template, { pattern, methods }] of templates) if (pattern.test(path)) return { template, methods };
    return undefined;
  };
}

/** The template a request was routed to, or matches (one refused before routing: 401, 405, 429…); undefined when none. */
export function routeOf(req: Request, routes: RouteMatcher): string | undefined {
  return (req.route as { path?: string } | undefined)?.path ?? routes(req.path)?.template;
}
