import { ancestry, canEnter, placeBinaries, placeData, type DirStat } from '../../dev/pg-placement';

const postgres = { uid: 101, gid: 104 };
const dir = (path: string, mode: number, uid = 0, gid = 0): DirStat => ({ path, mode: 0o40000 | mode, uid, gid });
const checkoutUnderRoot = [dir('/', 0o755), dir('/root', 0o700), dir('/root/x', 0o755), dir('/root/x/node_modules', 0o755)];
const checkoutUnderWork = [dir('/', 0o755), dir('/work', 0o755), dir('/work/x', 0o755), dir('/work/x/node_modules', 0o755)];

test('the ancestry of a path runs from / down to the path itself', () => {
  expect(ancestry('/root/x/node_modules/')).toEqual(['/', '/root', '/root/x', '/root/x/node_modules']);
  expect(ancestry('/')).toEqual(['/']);
});

test('a directory is entered through the search bit of the owner, else the group, else the others', () => {
  expect(canEnter(dir('/d', 0o700, 101), postgres)).toBe(true);
  expect(canEnter(dir('/d', 0o070, 101), postgres)).toBe(false); // the owner's bits decide for the owner
  expect(canEnter(dir('/d', 0o710, 0, 104), postgres)).toBe(true);
  expect(canEnter(dir('/d', 0o701, 0, 104), postgres)).toBe(false);
  expect(canEnter(dir('/d', 0o701), postgres)).toBe(true);
  expect(canEnter(dir('/d', 0o770), postgres)).toBe(false);
  expect(canEnter(dir('/d', 0o1777), postgres)).toBe(true); // /tmp
  expect(canEnter(dir('/d', 0o700), { uid: 0, gid: 0 })).toBe(true);
  expect(canEnter(dir('/d', 0o700), { uid: -1, gid: -1 })).toBe(false); // a postgres user still to be created
});

test('as root, binaries the postgres user cannot reach are run from a copy in the cache', () => {
  const cacheDir = '/tmp/escrow-embedded-pg-18.4.0';
  expect(placeBinaries({ asRoot: true, chain: checkoutUnderRoot, postgres, cacheDir })).toEqual({ at: 'cache', dir: cacheDir, because: checkoutUnderRoot[1] });
  expect(placeBinaries({ asRoot: true, chain: checkoutUnderWork, postgres, cacheDir })).toEqual({ at: 'package' });
  // not root: PostgreSQL runs as the caller, who reached the checkout
  expect(placeBinaries({ asRoot: false, chain: checkoutUnderRoot, postgres, cacheDir })).toEqual({ at: 'package' });
});

test("npm start's data: .data when reachable, else a reachable default, and a one-line refusal of a DATA_DIR out of reach", () => {
  const base = { asRoot: true, postgres, fallback: '/tmp/escrow-data-1234abcd' };
  expect(placeData({ ...base, preferred: '/work/x/.data', chosen: false, chain: checkoutUnderWork })).toEqual({ dir: '/work/x/.data' });
  expect(placeData({ ...base, preferred: '/root/x/.data', chosen: false, chain: checkoutUnderRoot })).toEqual({
    dir: '/tmp/escrow-data-1234abcd',
    because: checkoutUnderRoot[1],
  });
  expect(() => placeData({ ...base, preferred: '/root/x/.data', chosen: true, chain: checkoutUnderRoot })).toThrow(
    'DATA_DIR=/root/x/.data: PostgreSQL runs as the postgres user, who cannot enter /root (mode 700): choose a directory it can enter',
  );
  expect(placeData({ ...base, asRoot: false, preferred: '/root/x/.data', chosen: true, chain: checkoutUnderRoot })).toEqual({ dir: '/root/x/.data' });
});
