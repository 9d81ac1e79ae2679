/** Every workflow, for the worker's bundle. */
export { milestoneWorkflow } from './milestone/workflow';
export { projectWorkflow } from './project/workflow';
export { refundWorkflow } from './refund/workflow';
export { incidentWorkflow } from './incident/workflow';
