import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconRefresh } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { ActionError } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import type { OnboardingRun } from '@/types/api';
import { formatDateTime, formatDuration } from '@/utils/format';
import { useLatestRun } from '../api/get-latest-run';
import { useRerunOnboarding } from '../api/rerun-onboarding';
import { failedStep, stepsForDisplay } from './onboarding-steps-model';
import { OnboardingSteps } from './onboarding-steps';

function runDuration(run: OnboardingRun): number | null {
  if (!run.finishedAt) return null;
  return new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
}

function Outcome({ run, headingRef }: { run: OnboardingRun; headingRef: React.Ref<HTMLHeadingElement> }) {
  if (run.status === 'running') {
    return (
      <Title order={3} size="h5" ref={headingRef} tabIndex={-1}>
        Onboarding is running…
      </Title>
    );
  }
  if (run.status === 'succeeded') {
    const took = runDuration(run);
    return (
      <Alert color="green" variant="light" icon={<IconCircleCheck aria-hidden />} p="sm">
        <Title order={3} size="h5" ref={headingRef} tabIndex={-1}>
          Onboarding succeeded{took !== null ? ` in ${formatDuration(took)}` : ''}
        </Title>
      </Alert>
    );
  }
  const failed = failedStep(run);
  return (
    <Alert color="red" variant="light" p="sm">
      <Title order={3} size="h5" ref={headingRef} tabIndex={-1}>
        Onboarding failed{failed ? ` at “${failed.title}”` : ''}
      </Title>
      {/* The fix, in a line: the step below repeats CRM's full message with its code. */}
      {failed?.error && (
        <Text size="sm" mt={4}>
          {failed.error.hint || failed.error.message}
        </Text>
      )}
    </Alert>
  );
}

/**
 * One org's onboarding run with its steps, and Retry (re-run) for admins. While the re-run POST is in flight,
 * the latest run is polled so each step shows up as it finishes.
 */
export function OnboardingRunPanel({
  orgId,
  run,
  canEdit,
  focusOnChange = false,
}: {
  orgId: string;
  run: OnboardingRun | null;
  canEdit: boolean;
  focusOnChange?: boolean;
}) {
  const rerun = useRerunOnboarding();
  const [current, setCurrent] = useState<OnboardingRun | null>(run);
  const [previousRun, setPreviousRun] = useState(run);
  if (run !== previousRun) {
    // A newer run arrived from the org query: show it (derived state, not an effect).
    setPreviousRun(run);
    setCurrent(run);
  }
  const polled = useLatestRun(orgId, rerun.isPending);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // While the re-run is in flight, only a run other than the one on screen is news.
  const live = rerun.isPending
    ? polled.data && polled.data.id !== current?.id
      ? polled.data
      : null
    : current;
  const steps = stepsForDisplay(live);
  const finishedKey = rerun.isPending ? 'pending' : `${current?.id ?? ''}:${current?.status ?? ''}`;

  useEffect(() => {
    if (focusOnChange && finishedKey !== 'pending') headingRef.current?.focus();
  }, [finishedKey, focusOnChange]);

  const retry = () =>
    rerun.mutate(orgId, {
      onSuccess: (data) => setCurrent(data.run),
    });

  return (
    <Stack gap="sm">
      <div aria-live="polite">
        {rerun.isPending ? (
          <Text size="sm" fw={600} role="status">
            Running the onboarding flow again…
          </Text>
        ) : current ? (
          <Outcome run={current} headingRef={headingRef} />
        ) : (
          <Text size="sm" c="dimmed">
            No onboarding run yet.
          </Text>
        )}
      </div>
      {(current || rerun.isPending) && <OnboardingSteps steps={steps} />}
      {current && !rerun.isPending && (
        <Text size="xs" c="dimmed">
          Started {formatDateTime(current.startedAt)}
          {current.finishedAt ? ` · finished ${formatDateTime(current.finishedAt)}` : ''}
        </Text>
      )}
      <ActionError error={rerun.error} title="Could not run the onboarding flow" />
      {canEdit ? (
        <Group>
          <Button
            onClick={retry}
            loading={rerun.isPending}
            variant={current?.status === 'failed' ? 'filled' : 'default'}
            leftSection={<IconRefresh size={16} aria-hidden />}
          >
            {current?.status === 'failed' ? 'Retry' : 'Run onboarding again'}
          </Button>
        </Group>
      ) : (
        <ReadOnlyNote>Auditors cannot re-run onboarding.</ReadOnlyNote>
      )}
    </Stack>
  );
}
