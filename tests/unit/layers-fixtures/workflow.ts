// Linted as workflows/milestone/probe.ts: workflow code must stay deterministic, so it reaches no I/O.
import type { Db } from '../../db/pool'; // refused
import { createActivities } from '../../activities'; // refused
import type { ActivityDeps } from '../../activities'; // refused
import { loadConfig } from '../../lib/config'; // refused
import { readFileSync } from 'node:fs'; // refused
import { z } from 'zod'; // refused
import { condition } from '@temporalio/workflow';
import { isFinal } from '../../domain/milestone';
import type { Activities } from '../activities/contract';
import { queued } from '../serial';
