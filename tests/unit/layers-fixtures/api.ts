// Linted as api/probe.ts: the API reaches workflows through their contracts only, and never an activity.
import { renderMail } from '../activities/mail/templates'; // refused
import { MilestoneCore } from '../workflows/milestone/core'; // refused
import { refuse } from '../workflows/updates'; // refused
import { bundleWorkflows } from '../worker/create-worker'; // refused
import { signToken } from '../dev/tokens'; // refused
import { releaseUpdate } from '../workflows/milestone/contract';
import type { Activities } from '../workflows/activities/contract';
import type { Db } from '../db/pool';
import { formatAmount } from '../domain/money';
import { loadConfig } from '../lib/config';
import express from 'express';
