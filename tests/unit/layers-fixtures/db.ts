// Linted as db/probe.ts: the database layer knows the domain, not the workflows, the activities or the API.
import type { MilestoneStatus } from '../workflows/milestone/contract'; // refused
import { createActivities } from '../activities'; // refused
import { resolveAccess } from '../api/access'; // refused
import type { DisputeView } from '../domain/dispute';
import { newId } from '../lib/ids';
import pg from 'pg';
