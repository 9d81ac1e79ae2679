import { roleClaims, roleFrom } from '../../domain/role-claim';

test('the role is read from a plain claim, a dotted path, or a claim whose name holds dots', () => {
  expect(roleFrom({ role: 'client' }, 'role')).toBe('client');
  const keycloak = { realm_access: { roles: ['default-roles-escrow', 'offline_access', 'uma_authorization', 'mediator'] } };
  expect(roleFrom(keycloak, 'realm_access.roles')).toBe('mediator');
  expect(roleFrom({ resource_access: { 'escrow-api': { roles: ['provider'] } } }, 'resource_access.escrow-api.roles')).toBe('provider');
  expect(roleFrom({ 'https://escrow.example/roles': ['platform'] }, 'https://escrow.example/roles')).toBe('platform');
});

test('a list gives its first known role in the token order; nothing known gives no role', () => {
  expect(roleFrom({ roles: ['admin', 'provider', 'client'] }, 'roles')).toBe('provider');
  expect(roleFrom({ roles: ['admin', 'manage-account'] }, 'roles')).toBeUndefined();
  expect(roleFrom({ role: 'admin' }, 'role')).toBeUndefined();
  expect(roleFrom({ role: { client: true } }, 'role')).toBeUndefined();
  expect(roleFrom({ realm_access: 'client' }, 'realm_access.roles')).toBeUndefined();
  expect(roleFrom({}, 'realm_access.roles')).toBeUndefined();
});

test("a path never reads an object's inherited properties", () => {
  expect(roleFrom({ realm_access: {} }, 'realm_access.constructor')).toBeUndefined();
  expect(roleFrom({}, '__proto__')).toBeUndefined();
});

test('the claims written for a role are read back as that role', () => {
  for (const claim of ['role', 'realm_access.roles', 'resource_access.escrow-api.roles', 'https://escrow.example/roles']) {
    expect([claim, roleFrom(roleClaims('mediator', claim), claim)]).toEqual([claim, 'mediator']);
  }
  expect(roleClaims('client', 'realm_access.roles')).toEqual({ realm_access: { roles: ['client'] } });
  expect(roleClaims('client', 'https://escrow.example/roles')).toEqual({ 'https://escrow.example/roles': ['client'] });
});
