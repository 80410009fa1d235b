import { Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

/** Shown in place of an action an auditor cannot take, so no button is left dead. */
export function ReadOnlyNote({ children }: { children: React.ReactNode }) {
  return (
    <Text size="sm" c="dimmed" role="note">
      <IconLock size={14} aria-hidden style={{ verticalAlign: 'text-bottom', marginRight: 4 }} />
      {children}
    </Text>
  );
}
