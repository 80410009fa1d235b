import {
  CRM4_STEP_NAMES,
  DATAVERSE_STEP_NAMES,
  type OnboardingRun,
  type OnboardingStep,
  type OnboardingStepName,
} from '@/types/api';
import type { OrgKind } from './onboarding-form-model';

/** Titles used before the server has told us its own (while the first POST is in flight). */
export const DEFAULT_STEP_TITLES: Record<OnboardingStepName, string> = {
  policy: 'Retrieve the Windows Live policy',
  'wlid-ticket': 'Get a Windows Live ticket with the certificate',
  organizations: 'Find the organization',
  'crm-ticket': 'Get a CRM ticket for the org',
  whoami: 'Call WhoAmI',
  'proxy-role': 'Check the proxy role (Act on Behalf of Another User)',
  'test-write': 'Test write on behalf of a user',
  token: 'Get an access token from Microsoft Entra ID with the certificate',
  delegate: 'Check the Delegate privilege (act on behalf of another user)',
};

/** A platform's steps in the order they run. */
export function stepNamesFor(kind: OrgKind): readonly OnboardingStepName[] {
  return kind === 'dataverse' ? DATAVERSE_STEP_NAMES : CRM4_STEP_NAMES;
}

/** The platform a run is for, from its steps: only Dataverse's start with a token from Entra ID. */
export function kindOfRun(run: OnboardingRun): OrgKind {
  return run.steps.some((step) => step.name === 'token' || step.name === 'delegate') ? 'dataverse' : 'crm4';
}

/** The platform's steps, in order, all pending except the first, which is running. */
export function placeholderSteps(kind: OrgKind = 'crm4'): OnboardingStep[] {
  return stepNamesFor(kind).map((name, index) => ({
    name,
    title: DEFAULT_STEP_TITLES[name],
    status: index === 0 ? 'running' : 'pending',
    durationMs: null,
    detail: null,
  }));
}

/**
 * The steps to draw for a run: the server's steps in its platform's documented order (unknown extra steps after
 * them), with any documented step the server has not reported yet shown as pending.
 */
export function stepsForDisplay(run: OnboardingRun | null | undefined, kind?: OrgKind): OnboardingStep[] {
  if (!run) return placeholderSteps(kind);
  const names = stepNamesFor(kind ?? kindOfRun(run));
  const byName = new Map(run.steps.map((step) => [step.name, step]));
  const known: OnboardingStep[] = names.map(
    (name) =>
      byName.get(name) ?? {
        name,
        title: DEFAULT_STEP_TITLES[name],
        status: 'pending',
        durationMs: null,
        detail: null,
      },
  );
  const listed = new Set<string>(names);
  return [...known, ...run.steps.filter((step) => !listed.has(step.name))];
}

/** The first failed step of a run, for the summary line. */
export function failedStep(run: OnboardingRun | null | undefined): OnboardingStep | undefined {
  return run?.steps.find((step) => step.status === 'failed');
}
