import { AdminAuditLogEntity } from '../admin-audit/admin-audit-log.entity';
import { AdminUserEntity } from '../auth/admin-user.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { SessionEntity } from '../auth/session.entity';
import { CertificateEntity } from '../certificates/certificate.entity';
import { CrmCallEntity } from '../crm/crm-call.entity';
import { CrmStampEntity } from '../crm/crm-stamp.entity';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity';
import { OnboardingRunEntity } from '../orgs/onboarding-run.entity';
import { OrgEntity } from '../orgs/org.entity';
import { TicketEventEntity } from '../tickets/ticket-event.entity';
import { TicketEntity } from '../tickets/ticket.entity';
import { UserMappingEntity } from '../user-mappings/user-mapping.entity';

/** Every TypeORM entity of the API. */
export const ENTITIES = [
  AdminUserEntity,
  SessionEntity,
  ApiKeyEntity,
  AdminAuditLogEntity,
  CertificateEntity,
  OrgEntity,
  OnboardingRunEntity,
  TicketEntity,
  TicketEventEntity,
  UserMappingEntity,
  CrmCallEntity,
  CrmStampEntity,
  IdempotencyKeyEntity,
];
