import { Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '@/components/page-header';

export function NotFound() {
  return (
    <Stack>
      <PageHeader title="Page not found" />
      <Text>There is nothing at this address.</Text>
      <div>
        <Button component={Link} to="/">
          Go to the overview
        </Button>
      </div>
    </Stack>
  );
}
