import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '@/lib/api-client';
import type { LoginResponse, Me } from '@/types/api';
import { authKeys } from '../keys';

export interface LoginInput {
  email: string;
  password: string;
}

export function login(input: LoginInput): Promise<LoginResponse> {
  return api.post<LoginResponse>('/auth/login', input, { reportSessionLoss: false });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (data) => {
      setCsrfToken(data.csrfToken);
      // A new session: nothing cached under the previous one may leak into it.
      queryClient.removeQueries();
      queryClient.setQueryData<Me>(authKeys.me(), data);
    },
  });
}
