import { ROLES, type Role } from './parties';

const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The value a claim setting names: a claim of that exact name first (Auth0's namespaced claims hold dots, such as
 * `https://escrow.example/roles`), else the dotted path through nested objects (Keycloak's `realm_access.roles`).
 */
function claimAt(payload: Record<string, unknown>, claim: string): unknown {
  if (Object.hasOwn(payload, claim)) return payload[claim];
  let value: unknown = payload;
  for (const name of claim.split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return value;
}

/** The caller's role: the claim's value if it is a known role, or the first known role of its list (in the token's order). */
export function roleFrom(payload: Record<string, unknown>, claim: string): Role | undefined {
  const value = claimAt(payload, claim);
  return (Array.isArray(value) ? value : [value]).find(isRole);
}

/**
 * The claims that carry `role` where `roleFrom` reads it: a string for a plain name, a one-role list for a path or a
 * namespaced claim (a URL, as Auth0 names them, is one claim, not a path).
 */
export function roleClaims(role: Role, claim: string): Record<string, unknown> {
  if (!claim.includes('.')) return { [claim]: role };
  if (claim.includes('://')) return { [claim]: [role] };
  const names = claim.split('.');
  return names.reduceRight<unknown>((inner, name) => ({ [name]: inner }), [role]) as Record<string, unknown>;
}
