// Linted as domain/probe.ts: the domain imports nothing of the project and no package, and does no I/O.
import { z } from 'zod'; // refused
import { randomBytes } from 'node:crypto'; // refused
import { newId } from '../lib/ids'; // refused
import type { MilestoneInput } from '../workflows/milestone/contract'; // refused
import { formatAmount } from './money';
