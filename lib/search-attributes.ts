import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES, type SearchAttributeName } from '../domain/search-attributes';

type OperatorService = Pick<Connection['operatorService'], 'listSearchAttributes' | 'addSearchAttributes'>;
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const UNIMPLEMENTED = 12;

/** The workflows' search attributes the namespace does not know yet: a worker waits for them before it runs. */
export async function missingSearchAttributes(operator: OperatorService, namespace: string): Promise<SearchAttributeName[]> {
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  return SEARCH_ATTRIBUTE_NAMES.filter((name) => !customAttributes?.[name]);
}

/**
 * Registers the workflows' search attributes the namespace lacks (as Keyword); returns those it added. The
 * time-skipping test server lists none (the call is unimplemented there) but takes them all.
 */
export async function ensureSearchAttributes(operator: OperatorService, namespace: string): Promise<SearchAttributeName[]> {
  const missing = await missingSearchAttributes(operator, namespace).catch((err: { code?: number }) => {
    if (err.code === UNIMPLEMENTED) return [...SEARCH_ATTRIBUTE_NAMES];
    throw err;
  });
  if (missing.length > 0) await operator.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])) });
  return missing;
}
