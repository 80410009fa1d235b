export const DEFAULT_DISCOVERY_URL =
  'https://localhost:8443/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';

export interface OnboardingFormValues {
  discoveryUrl: string;
  friendlyName: string;
  certificateId: string;
}

export type OnboardingFormErrors = Partial<Record<keyof OnboardingFormValues, string>>;

/** Checks the wizard's fields before anything is sent; the API still has the last word. */
export function validateOnboardingForm(values: OnboardingFormValues): OnboardingFormErrors {
  const errors: OnboardingFormErrors = {};
  const url = values.discoveryUrl.trim();
  if (!url) {
    errors.discoveryUrl = 'Enter the discovery service URL';
  } else {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:')
        errors.discoveryUrl = 'The discovery service URL must start with https://';
    } catch {
      errors.discoveryUrl =
        'Enter a full URL, such as https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
    }
  }
  if (!values.friendlyName.trim())
    errors.friendlyName = "Enter the org's friendly name as CRM shows it (e.g. Contoso Ltd)";
  if (!values.certificateId) errors.certificateId = 'Choose the service-account certificate';
  return errors;
}
