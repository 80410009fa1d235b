import { describe, expect, it } from 'vitest';
import {
  CRM4_STEP_NAMES,
  DATAVERSE_STEP_NAMES,
  type OnboardingRun,
  type OnboardingStepName,
} from '@/types/api';
import { failedStep, placeholderSteps, stepsForDisplay } from './onboarding-steps-model';

describe('onboarding steps', () => {
  it('shows the seven steps in order while the first POST is in flight, the first running', () => {
    const steps = placeholderSteps();
    expect(steps.map((s) => s.name)).toEqual([...CRM4_STEP_NAMES]);
    expect(steps.map((s) => s.status)).toEqual([
      'running',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
  });

  it("uses the server's steps in the documented order, filling the ones not reported yet", () => {
    const run: OnboardingRun = {
      id: 'r1',
      status: 'failed',
      startedAt: '2025-01-01T00:00:00Z',
      finishedAt: '2025-01-01T00:00:02Z',
      steps: [
        {
          name: 'wlid-ticket',
          title: 'Windows Live ticket',
          status: 'succeeded',
          durationMs: 120,
          detail: null,
        },
        { name: 'policy', title: 'Policy', status: 'succeeded', durationMs: 30, detail: 'MBI_SSL' },
        {
          name: 'proxy-role',
          title: 'Proxy role',
          status: 'failed',
          durationMs: 50,
          detail: null,
          error: {
            code: 'CRM_PRIVILEGE_DENIED',
            message: 'No proxy role',
            hint: 'Give ERP_Integration the proxy role',
          },
        },
      ],
    };
    const steps = stepsForDisplay(run);
    expect(steps.map((s) => s.name)).toEqual([...CRM4_STEP_NAMES]);
    expect(steps[0]).toMatchObject({ title: 'Policy', status: 'succeeded', detail: 'MBI_SSL' });
    expect(steps[2]).toMatchObject({ name: 'organizations', status: 'pending' });
    expect(failedStep(run)?.error?.hint).toBe('Give ERP_Integration the proxy role');
  });

  it('keeps steps the contract does not list, after the known ones', () => {
    const run: OnboardingRun = {
      id: 'r',
      status: 'running',
      startedAt: '',
      finishedAt: null,
      // a step from a newer API than this console knows
      steps: [
        {
          name: 'extra' as OnboardingStepName,
          title: 'Extra',
          status: 'running',
          durationMs: null,
          detail: null,
        },
      ],
    };
    expect(stepsForDisplay(run).at(-1)?.name).toBe('extra');
  });

  it("shows a Dataverse org's four steps while its first POST is in flight, and a Dataverse run in that order", () => {
    expect(placeholderSteps('dataverse').map((s) => [s.name, s.status])).toEqual([
      ['token', 'running'],
      ['whoami', 'pending'],
      ['delegate', 'pending'],
      ['test-write', 'pending'],
    ]);
    const run: OnboardingRun = {
      id: 'r2',
      status: 'failed',
      startedAt: '2025-01-01T00:00:00Z',
      finishedAt: '2025-01-01T00:00:01Z',
      steps: [{ name: 'token', title: 'Token', status: 'failed', durationMs: 40, detail: null }],
    };
    const steps = stepsForDisplay(run);
    expect(steps.map((s) => s.name)).toEqual([...DATAVERSE_STEP_NAMES]);
    expect(steps.map((s) => s.status)).toEqual(['failed', 'pending', 'pending', 'pending']);
    expect(stepsForDisplay(null, 'dataverse').map((s) => s.name)).toEqual([...DATAVERSE_STEP_NAMES]);
  });
});
