// Linted as activities/probe.ts: activities implement the workflows' contracts; they never call the API.
import { HttpProblem } from '../api/problem'; // refused
import { MilestoneCore } from '../workflows/milestone/core'; // refused
import { buildActivityDeps } from '../worker/build-deps'; // refused
import type { Activities } from '../workflows/activities/contract';
import { amendUpdate } from '../workflows/milestone/contract';
import type { Db } from '../db/pool';
import nodemailer from 'nodemailer';
