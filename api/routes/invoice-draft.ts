import { milestoneFigures } from '../../db/ledger';
import { requestedAmount } from '../../db/payment-requests';
import type { Db } from '../../db/pool';
import type { InvoicingSettings } from '../../lib/invoicing';
import { requireEscrow, requireMilestone } from '../access';
import { facturxAnswer } from '../invoices/facturx-answer';
import { facturxDraftBlocker, invoiceDraft, invoiceDraftDocument } from '../invoices/provider-invoice-draft';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { wantsPdf } from './fee-invoices';
import { InvoiceDraftView } from './invoice-draft.schemas';
import { MilestoneParams } from './milestones.schemas';

export function invoiceDraftRoutes(routes: ApiRoutes, { db, invoicing }: { db: Db; invoicing: InvoicingSettings }): void {
  routes.add({
    route: 'GET /v1/projects/:projectId/milestones/:milestoneId/invoice-draft',
    summary: "What the provider's invoice for this payment must contain (JSON), or a Factur-X draft with Accept: application/pdf",
    params: MilestoneParams,
    responses: {
      200: { description: 'the draft: JSON, or a Factur-X PDF marked as a draft', contentTypes: ['application/json', 'application/pdf'], json: InvoiceDraftView },
    },
  }).handle(async ({ req, res, params, access: { project } }) => {
    requireEscrow(project);
    const milestone = requireMilestone(project, params.milestoneId);
    const released = (await milestoneFigures(db, project.id)).get(milestone.id)?.released ?? 0;
    // before a release, the invoice is for the whole milestone; after, for what is released and not yet requested
    const amount = released > 0 ? released - (await requestedAmount(db, milestone.id)) : milestone.amount;
    if (amount <= 0) throw new HttpProblem(409, 'everything released for this milestone has been requested already', 'conflict');
    res.vary('Accept');
    if (wantsPdf((types) => req.accepts(types), 'application/json')) {
      const blocker = facturxDraftBlocker(project);
      if (blocker) throw new HttpProblem(409, blocker, 'invoice-draft-unavailable');
      const pdf = await facturxAnswer(invoiceDraftDocument(project, milestone, amount, invoicing.seller, invoicing.vatRatePpm));
      res.set('Content-Disposition', `inline; filename="brouillon-${milestone.id}.pdf"`);
      return { status: 200, contentType: 'application/pdf', raw: pdf };
    }
    const draft = InvoiceDraftView.parse(invoiceDraft(project, milestone, amount, invoicing.seller, invoicing.vatRatePpm));
    return { status: 200, contentType: 'application/json', raw: JSON.stringify(draft) };
  });
}
