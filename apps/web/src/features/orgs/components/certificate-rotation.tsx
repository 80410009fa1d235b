import { Anchor, Badge, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowUp, IconUpload } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ConfirmButton } from '@/components/confirm-button';
import { ActionError } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import type { Org } from '@/types/api';
import { useDiscardStagedCertificate } from '../api/discard-staged-certificate';
import { usePromoteCertificate } from '../api/promote-certificate';
import { useStageCertificate } from '../api/stage-certificate';
import type { CertificateOption } from '../types';

function CertificateRef({ id, options }: { id: string | null; options: CertificateOption[] | undefined }) {
  if (!id) return <Text span>None</Text>;
  const label = options?.find((o) => o.value === id)?.label ?? id;
  return (
    <Anchor component={Link} to={`/certificates/${id}`}>
      {label}
    </Anchor>
  );
}

/**
 * Rotation without downtime: stage a new certificate (the API proves it with a real ticket request), then promote it.
 * Calls keep using the active certificate until the promotion.
 */
export function CertificateRotation({
  org,
  canEdit,
  certificateOptions,
  onChanged,
}: {
  org: Org;
  canEdit: boolean;
  certificateOptions: CertificateOption[] | undefined;
  /** Lets the page refresh other features' views of the certificates (which orgs depend on them). */
  onChanged?: () => void;
}) {
  const [certificateId, setCertificateId] = useState('');
  const stage = useStageCertificate();
  const promote = usePromoteCertificate();
  const discard = useDiscardStagedCertificate();

  const onStage = (event: FormEvent) => {
    event.preventDefault();
    if (!certificateId) return;
    stage.mutate(
      { orgId: org.id, certificateId },
      {
        onSuccess: () => {
          setCertificateId('');
          onChanged?.();
          notifications.show({
            color: 'green',
            title: 'Certificate staged',
            message: 'It got a ticket: promote it when ready.',
          });
        },
      },
    );
  };

  const candidates = (certificateOptions ?? []).filter(
    (o) => o.value !== org.certificateId && o.value !== org.stagedCertificateId,
  );

  return (
    <Stack gap="md">
      <Group gap="xl" wrap="wrap">
        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Active certificate
          </Text>
          <Group gap="xs">
            <CertificateRef id={org.certificateId} options={certificateOptions} />
            {org.certificateId && <Badge variant="light">Active</Badge>}
          </Group>
        </Stack>
        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Staged certificate
          </Text>
          <Group gap="xs">
            <CertificateRef id={org.stagedCertificateId} options={certificateOptions} />
            {org.stagedCertificateId && (
              <Badge variant="light" color="yellow">
                Staged
              </Badge>
            )}
          </Group>
        </Stack>
      </Group>

      {!canEdit ? (
        <ReadOnlyNote>Auditors cannot rotate certificates.</ReadOnlyNote>
      ) : (
        <>
          {org.stagedCertificateId && (
            <Group>
              <Button
                leftSection={<IconArrowUp size={16} aria-hidden />}
                loading={promote.isPending}
                onClick={() =>
                  promote.mutate(org.id, {
                    onSuccess: () => {
                      onChanged?.();
                      notifications.show({
                        color: 'green',
                        title: 'Certificate promoted',
                        message: 'New calls use the new certificate.',
                      });
                    },
                  })
                }
              >
                Promote staged certificate
              </Button>
              <ConfirmButton
                title="Discard the staged certificate?"
                message="The org keeps using its active certificate."
                confirmLabel="Discard"
                loading={discard.isPending}
                onConfirm={() => discard.mutate(org.id, { onSuccess: () => onChanged?.() })}
                buttonProps={{ size: 'sm', variant: 'default', color: 'gray' }}
              >
                Discard staged certificate
              </ConfirmButton>
            </Group>
          )}
          <form onSubmit={onStage}>
            <Group align="flex-end" gap="sm" wrap="wrap">
              <NativeSelect
                label="Certificate to stage"
                value={certificateId}
                onChange={(e) => setCertificateId(e.currentTarget.value)}
                disabled={certificateOptions === undefined}
                data={[
                  {
                    value: '',
                    label:
                      certificateOptions === undefined ? 'Loading certificates…' : 'Choose a certificate…',
                  },
                  ...candidates,
                ]}
                miw={260}
              />
              <Button
                type="submit"
                variant="default"
                loading={stage.isPending}
                disabled={!certificateId}
                leftSection={<IconUpload size={16} aria-hidden />}
              >
                Stage certificate
              </Button>
            </Group>
          </form>
          {candidates.length === 0 && certificateOptions !== undefined && (
            <Text size="sm" c="dimmed">
              No other certificate to stage. <Link to="/certificates/new">Upload one</Link> first.
            </Text>
          )}
        </>
      )}
      <ActionError error={stage.error} title="Could not stage the certificate" />
      <ActionError error={promote.error} title="Could not promote the certificate" />
      <ActionError error={discard.error} title="Could not discard the staged certificate" />
    </Stack>
  );
}
