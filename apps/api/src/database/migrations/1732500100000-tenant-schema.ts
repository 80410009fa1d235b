import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Certificates, orgs and onboarding runs, tickets and their events, the PUID mapping cache,
 * the ledger of CRM calls and the CRM stamps pulled back for reconciliation.
 * Every tenant table carries org_id; composite keys make cross-org links impossible.
 */
export class TenantSchema1732500100000 implements MigrationInterface {
  name = 'TenantSchema1732500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        service_account_live_id text NOT NULL,
        subject text NOT NULL,
        issuer text NOT NULL,
        serial_number text NOT NULL,
        thumbprint_sha1_hex text NOT NULL,
        thumbprint_sha1_base64 text NOT NULL,
        thumbprint_sha256 text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('valid', 'expiring', 'invalid')),
        problems jsonb NOT NULL DEFAULT '[]',
        chain jsonb NOT NULL DEFAULT '[]',
        certificate_pem text NOT NULL,
        chain_pem text NOT NULL DEFAULT '',
        private_key_enc bytea NOT NULL,
        kek_id text NOT NULL,
        expiry_warned_days int,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX certificates_thumbprint_uq ON certificates (thumbprint_sha256)`);
    await q.query(`CREATE INDEX certificates_not_after_idx ON certificates (not_after)`);

    await q.query(`
      CREATE TABLE orgs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        discovery_url text NOT NULL,
        friendly_name text NOT NULL,
        organization_name text,
        organization_id uuid,
        crm_service_url text,
        crm_metadata_service_url text,
        web_application_url text,
        policy text,
        certificate_id uuid NOT NULL REFERENCES certificates(id),
        staged_certificate_id uuid REFERENCES certificates(id),
        status text NOT NULL CHECK (status IN ('onboarding', 'active', 'failed')),
        service_account_user_id uuid,
        service_account_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX orgs_discovery_friendly_uq ON orgs (discovery_url, lower(friendly_name))`,
    );
    await q.query(`CREATE INDEX orgs_certificate_idx ON orgs (certificate_id)`);

    await q.query(`
      CREATE TABLE onboarding_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
        steps jsonb NOT NULL DEFAULT '[]',
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        started_by uuid,
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE INDEX onboarding_runs_org_idx ON onboarding_runs (org_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE tickets (
        org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
        generation bigint NOT NULL DEFAULT 0,
        passport_ticket_enc bytea,
        passport_expires_at timestamptz,
        crm_ticket_enc bytea,
        crm_issued_at timestamptz,
        crm_expires_at timestamptz,
        kek_id text,
        refresh_count int NOT NULL DEFAULT 0,
        last_refresh_at timestamptz,
        last_refresh_latency_ms int,
        last_error_code text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tickets_crm_expires_idx ON tickets (crm_expires_at)`);

    await q.query(`
      CREATE TABLE ticket_events (
        id bigserial PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('issued', 'refreshed', 'expired-fault', 'failure')),
        at timestamptz NOT NULL DEFAULT now(),
        latency_ms int,
        error_code text,
        instance text
      )`);
    await q.query(`CREATE INDEX ticket_events_org_at_idx ON ticket_events (org_id, at DESC)`);

    await q.query(`
      CREATE TABLE user_mappings (
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        puid text NOT NULL CHECK (puid ~ '^[0-9A-F]{16}$'),
        system_user_id uuid,
        full_name text,
        status text NOT NULL CHECK (status IN ('found', 'not-found')),
        verified_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        hits bigint NOT NULL DEFAULT 0,
        misses bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (org_id, puid)
      )`);
    await q.query(`CREATE INDEX user_mappings_user_idx ON user_mappings (org_id, system_user_id)`);

    await q.query(`
      CREATE TABLE crm_calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        operation text NOT NULL,
        entity text,
        record_id uuid,
        service_account_id uuid,
        service_account_name text,
        on_behalf_of_id uuid,
        on_behalf_of_name text,
        on_behalf_of_puid text,
        outcome text NOT NULL CHECK (outcome IN ('pending', 'completed', 'failed')),
        error_code text,
        error_message text,
        latency_ms int,
        request_id text,
        caller text,
        instance text,
        reconciliation text NOT NULL DEFAULT 'unverified' CHECK (reconciliation IN ('match', 'mismatch', 'missing', 'unverified')),
        reconciliation_note text,
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE INDEX crm_calls_at_idx ON crm_calls (at DESC, id DESC)`);
    await q.query(`CREATE INDEX crm_calls_org_at_idx ON crm_calls (org_id, at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX crm_calls_org_user_at_idx ON crm_calls (org_id, on_behalf_of_id, at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX crm_calls_pending_idx ON crm_calls (org_id, at) WHERE outcome = 'pending'`);
    await q.query(`CREATE INDEX crm_calls_record_idx ON crm_calls (org_id, entity, record_id)`);

    await q.query(`
      CREATE TABLE crm_stamps (
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        entity text NOT NULL,
        record_id uuid NOT NULL,
        createdby jsonb,
        createdonbehalfby jsonb,
        modifiedby jsonb,
        modifiedonbehalfby jsonb,
        ownerid jsonb,
        createdon timestamptz,
        modifiedon timestamptz,
        exists_in_crm boolean NOT NULL DEFAULT true,
        pulled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, entity, record_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'crm_stamps',
      'crm_calls',
      'user_mappings',
      'ticket_events',
      'tickets',
      'onboarding_runs',
      'orgs',
      'certificates',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
