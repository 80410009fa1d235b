import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { HealthCheck, HealthReport } from '../health.service';

export class HealthCheckErrorDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  message: string;
}

export class HealthCheckDto {
  @ApiProperty({ enum: ['up', 'down', 'not-configured'] })
  status: 'up' | 'down' | 'not-configured';

  @ApiProperty({ type: Number })
  latencyMs: number;

  @ApiProperty({ type: String })
  target: string;

  @ApiPropertyOptional({ type: () => HealthCheckErrorDto })
  error?: HealthCheckErrorDto;
}

export class HealthChecksDto {
  @ApiProperty({ type: () => HealthCheckDto })
  database: HealthCheckDto;

  @ApiProperty({ type: () => HealthCheckDto })
  emulator: HealthCheckDto;
}

/** GET /health: 200 when no check is down (the emulator may be `not-configured`), 503 with the same body when one is. */
export class HealthReportDto {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status: 'ok' | 'degraded';

  @ApiProperty({ type: String })
  version: string;

  @ApiProperty({ type: () => HealthChecksDto })
  checks: HealthChecksDto;
}

export type HealthReplyChecks = [
  Same<SameShape<HealthCheckDto, HealthCheck>>,
  Same<SameShape<HealthReportDto, HealthReport>>,
];
