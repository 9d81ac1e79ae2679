import { isReadableUrl } from '../../api/middleware/url-guard';

test('ids, filters and percent-encoded UTF-8 are readable', () => {
  for (const url of ['/v1/projects/prj_a-b', '/v1/mediation/disputes?state=escalated&limit=20', '/v1/x/caf%C3%A9', '/v1/x?q=a+b', '/health']) {
    expect([url, isReadableUrl(url)]).toEqual([url, true]);
  }
});

test('NUL, other control characters and bytes that are not UTF-8 are not, in the path or the query', () => {
  for (const url of ['/v1/refunds/%00/retry', '/v1/x/a%0Ab', '/v1/x/%7F', '/v1/x/%C3%28', '/v1/x/%FF', '/v1/x/%E0%A4%A', '/v1/x?state=%00', '/v1/x?%1F=1', '/v1/x?limit=%ED%A0%80']) {
    expect([url, isReadableUrl(url)]).toEqual([url, false]);
  }
});
