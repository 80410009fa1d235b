import {
  Anchor,
  Alert,
  Badge,
  Group,
  List,
  Loader,
  Stack,
  Text,
  ThemeIcon,
  type MantineColor,
} from '@mantine/core';
import { IconCheck, IconCircleDashed, IconPlayerSkipForward, IconX } from '@tabler/icons-react';
import type { OnboardingStep, StepStatus } from '@/types/api';
import { formatDuration } from '@/utils/format';

const STATUS: Record<StepStatus, { label: string; color: MantineColor }> = {
  pending: { label: 'Pending', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  succeeded: { label: 'Succeeded', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  skipped: { label: 'Skipped', color: 'gray' },
};

function StepIcon({ status }: { status: StepStatus }) {
  if (status === 'running') return <Loader size={22} aria-hidden />;
  const color = STATUS[status]?.color ?? 'gray';
  const icon =
    status === 'succeeded' ? (
      <IconCheck size={14} />
    ) : status === 'failed' ? (
      <IconX size={14} />
    ) : status === 'skipped' ? (
      <IconPlayerSkipForward size={14} />
    ) : (
      <IconCircleDashed size={14} />
    );
  return (
    <ThemeIcon
      color={color}
      variant={status === 'pending' || status === 'skipped' ? 'light' : 'filled'}
      radius="xl"
      size={22}
      aria-hidden
    >
      {icon}
    </ThemeIcon>
  );
}

/** A hint's text with its https links clickable (the admin-consent page, for one). A link's final . , ; or ) is text. */
function WithLinks({ text }: { text: string }) {
  const parts = text.split(/(https:\/\/[^\s]+)/);
  return (
    <>
      {parts.map((part, i) => {
        if (i % 2 === 0) return part;
        const url = part.replace(/[.,;)]+$/, '');
        return (
          <span key={i}>
            <Anchor href={url} target="_blank" rel="noopener noreferrer">
              {url}
            </Anchor>
            {part.slice(url.length)}
          </span>
        );
      })}
    </>
  );
}

/** The onboarding flow as an ordered list: each step's status (as text), duration, detail, and a failure in plain words. */
export function OnboardingSteps({
  steps,
  label = 'Onboarding steps',
}: {
  steps: OnboardingStep[];
  label?: string;
}) {
  return (
    <List
      type="ordered"
      listStyleType="none"
      spacing="sm"
      aria-label={label}
      // Icons sit beside the step's title, not in the middle of a tall failed step.
      styles={{ itemWrapper: { width: '100%', alignItems: 'flex-start' }, itemLabel: { width: '100%' } }}
    >
      {steps.map((step) => {
        const status = STATUS[step.status] ?? { label: step.status, color: 'gray' };
        return (
          <List.Item
            key={step.name}
            icon={<StepIcon status={step.status} />}
            data-step={step.name}
            data-status={step.status}
          >
            <Stack gap={4}>
              <Group gap="xs" wrap="wrap">
                <Text fw={600} size="sm">
                  {step.title}
                </Text>
                <Badge color={status.color} variant="light" size="sm">
                  {status.label}
                </Badge>
                {step.durationMs !== null && step.durationMs !== undefined && (
                  <Text size="xs" c="dimmed">
                    {formatDuration(step.durationMs)}
                  </Text>
                )}
              </Group>
              {step.detail && !(step.status === 'failed' && step.detail === step.error?.message) && (
                <Text size="xs" c="dimmed">
                  {step.detail}
                </Text>
              )}
              {step.status === 'failed' && step.error && (
                <Alert color="red" variant="light" p="xs" title={step.error.message}>
                  {step.error.hint && (
                    <Text size="sm">
                      <WithLinks text={step.error.hint} />
                    </Text>
                  )}
                  <Text size="xs" c="dimmed">
                    Code: {step.error.code}
                  </Text>
                </Alert>
              )}
            </Stack>
          </List.Item>
        );
      })}
    </List>
  );
}
