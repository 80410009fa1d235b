import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { CopyValue } from '@/components/copy-value';
import type { CreatedApiKey } from '@/types/api';

/** The new key, shown once: only its hash is stored, so it cannot be shown again. */
export function NewKeyReveal({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconKey aria-hidden />}
      title={`Copy the key "${created.name}" now: you will not see it again`}
      role="status"
    >
      <Stack gap="sm">
        <Text size="sm">
          Only a hash of the key is stored. Put it in the integration&apos;s secret store now; if it is lost,
          create a new key and revoke this one.
        </Text>
        <CopyValue label="API key" value={created.key} />
        <Group>
          <Button size="xs" variant="default" onClick={onDone}>
            I have copied the key
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
