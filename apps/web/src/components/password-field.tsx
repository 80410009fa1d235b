import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * A password input whose show/hide button is not named "…password…": Mantine's default name,
 * "Toggle password visibility", also answers a search for the field labelled "Password".
 */
export function PasswordField(props: PasswordInputProps) {
  return (
    <PasswordInput visibilityToggleButtonProps={{ 'aria-label': 'Show or hide what you typed' }} {...props} />
  );
}
