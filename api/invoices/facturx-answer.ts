import { facturxPdf } from '../../lib/facturx/pdf';
import { InvoiceDataError, type InvoiceDocument } from '../../lib/facturx/model';
import { HttpProblem } from '../problem';

/**
 * The document as a Factur-X PDF; a document EN 16931 cannot express (a currency with three decimals, a party without
 * the identifiers a rule needs) is a 409 naming the rule: its HTML or JSON form is still there.
 */
export async function facturxAnswer(document: InvoiceDocument): Promise<Uint8Array> {
  try {
    return await facturxPdf(document);
  } catch (err) {
    if (!(err instanceof InvoiceDataError)) throw err;
    throw new HttpProblem(409, `this document cannot be given as a Factur-X: ${err.message}; ask for it without Accept: application/pdf`, 'facturx-unavailable');
  }
}
