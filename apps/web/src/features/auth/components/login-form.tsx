import { Alert, Button, Stack, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { isApiError } from '@/lib/api-client';
import { errorMessage } from '@/lib/error-messages';
import { useLogin } from '../api/login';
import { PasswordField } from '@/components/password-field';

export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const loginMutation = useLogin();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    loginMutation.mutate({ email: email.trim(), password }, { onSuccess: onSignedIn });
  };

  const error = loginMutation.error;
  const wrongCredentials = isApiError(error) && error.code === 'AUTH_INVALID_CREDENTIALS';

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        {error && (
          <Alert
            color="red"
            variant="light"
            role="alert"
            icon={<IconAlertTriangle aria-hidden />}
            title="Could not sign in"
          >
            {errorMessage(error)}
          </Alert>
        )}
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={wrongCredentials ? true : undefined}
          autoFocus
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={wrongCredentials ? true : undefined}
        />
        <Button type="submit" loading={loginMutation.isPending} disabled={!email || !password}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
