/** The claims a kind of token must carry beyond `sub` and `exp`, as the settings name them (lib/config.ts). */
export interface TokenShape {
  AUTH_JWT_ISSUER?: string;
  AUTH_JWT_AUDIENCE?: string[];
  AUTH_ROLE_CLAIM?: string;
}

/**
 * What HS256 tokens must carry. Alone, they follow the settings' issuer, audience and role claim. Beside a JWKS
 * (a migration), those settings describe the identity provider's tokens, and HS256 tokens keep the platform's own
 * format (`role`, no `iss` or `aud` checked: only holders of the secret can sign them), so that the services which
 * mint them keep working until they are switched to the identity provider.
 */
export function hs256Shape(settings: TokenShape & { AUTH_JWKS_URL?: string }): TokenShape {
  if (settings.AUTH_JWKS_URL) return { AUTH_ROLE_CLAIM: 'role' };
  return { AUTH_JWT_ISSUER: settings.AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE: settings.AUTH_JWT_AUDIENCE, AUTH_ROLE_CLAIM: settings.AUTH_ROLE_CLAIM };
}
