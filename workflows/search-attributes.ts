import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeName } from '../domain/search-attributes';

const keyOf = (name: SearchAttributeName) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);

/** Sets the named search attributes (those left undefined are untouched) and, when given, merges `memo` into the memo. */
export function publish(values: Partial<Record<SearchAttributeName, string>>, memo?: Record<string, string>): void {
  const pairs: SearchAttributeUpdatePair[] = Object.entries(values)
    .filter((entry): entry is [SearchAttributeName, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ key: keyOf(name), value }));
  if (pairs.length > 0) upsertSearchAttributes(pairs);
  if (memo) upsertMemo(memo);
}
