import { ONBOARDING_STEP_NAMES, type OnboardingRun, type OnboardingStep } from '@/types/api';

/** Titles used before the server has told us its own (while the first POST is in flight). */
export const DEFAULT_STEP_TITLES: Record<(typeof ONBOARDING_STEP_NAMES)[number], string> = {
  policy: 'Retrieve the Windows Live policy',
  'wlid-ticket': 'Get a Windows Live ticket with the certificate',
  organizations: 'Find the organization',
  'crm-ticket': 'Get a CRM ticket for the org',
  whoami: 'Call WhoAmI',
  'proxy-role': 'Check the proxy role (Act on Behalf of Another User)',
  'test-write': 'Test write on behalf of a user',
};

/** The seven steps, in order, all pending except the first, which is running. */
export function placeholderSteps(): OnboardingStep[] {
  return ONBOARDING_STEP_NAMES.map((name, index) => ({
    name,
    title: DEFAULT_STEP_TITLES[name],
    status: index === 0 ? 'running' : 'pending',
    durationMs: null,
    detail: null,
  }));
}

/**
 * The steps to draw for a run: the server's steps in the documented order (unknown extra steps after them),
 * with any documented step the server has not reported yet shown as pending.
 */
export function stepsForDisplay(run: OnboardingRun | null | undefined): OnboardingStep[] {
  if (!run) return placeholderSteps();
  const byName = new Map(run.steps.map((step) => [step.name, step]));
  const known: OnboardingStep[] = ONBOARDING_STEP_NAMES.map(
    (name) =>
      byName.get(name) ?? {
        name,
        title: DEFAULT_STEP_TITLES[name],
        status: 'pending',
        durationMs: null,
        detail: null,
      },
  );
  const names = new Set<string>(ONBOARDING_STEP_NAMES);
  return [...known, ...run.steps.filter((step) => !names.has(step.name))];
}

/** The first failed step of a run, for the summary line. */
export function failedStep(run: OnboardingRun | null | undefined): OnboardingStep | undefined {
  return run?.steps.find((step) => step.status === 'failed');
}
