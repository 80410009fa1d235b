import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'onbehalf:public';
export const ADMIN_ONLY_KEY = 'onbehalf:admin-only';
export const AUDITOR_MAY_KEY = 'onbehalf:auditor-may';

/** The route needs no session (login, health, the RPS callback). Everything else is denied by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Even reads need the admin role (admin users, API keys). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY_KEY, true);
/** An unsafe method that an auditor may still call (sign-out). */
export const AuditorMay = () => SetMetadata(AUDITOR_MAY_KEY, true);
