/**
 * The rule modules under mutation, one Stryker run (own report, own incremental file) each, so that
 * a run can be done module by module and a change re-tests only its module.
 *
 * `mutate` and `testFiles` are relative to the package folder. `testFiles` is the set of specs
 * allowed to kill the module's mutants (Stryker's --testFiles); within it, coverage "perTest"
 * runs only the tests that reach a mutant. `timeoutMS` (optional, default 10 s) is Stryker's timeoutMS for the module.
 */
// Every unit spec of crm-auth (none asserts wall time); the *.int-spec.ts are left out below.
const CRM_AUTH_UNIT = ['src/**/*.spec.ts', 'test/**/*.spec.ts'];

export const MODULES = [
  // crm-auth: unit specs only (the *.int-spec.ts drive a whole emulator per file).
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'rps',
    label: 'RPS verification',
    target: 85,
    mutate: ['src/rps/**/*.ts'],
    testFiles: CRM_AUTH_UNIT,
  },
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'faults',
    label: 'faults',
    target: 85,
    mutate: ['src/messages/faults.ts'],
    testFiles: CRM_AUTH_UNIT,
  },
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'certificates',
    label: 'certificate validation',
    target: 85,
    mutate: [
      'src/certificates/validate-certificate.ts',
      'src/certificates/chain-constraints.ts',
      'src/certificates/parse-crl.ts',
      'src/certificates/signature-algorithms.ts',
      'src/certificates/supported-roots.ts',
    ],
    testFiles: CRM_AUTH_UNIT,
  },
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'session',
    label: 'session and ticket cache',
    target: 85,
    // option-checks.ts: the one place the session's (and the clients') options are checked.
    mutate: ['src/session/**/*.ts', 'src/option-checks.ts'],
    testFiles: CRM_AUTH_UNIT,
  },
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'messages',
    label: 'messages (codecs, envelopes, values)',
    target: 85,
    mutate: ['src/messages/**/*.ts', '!src/messages/**/*.spec.ts', '!src/messages/faults.ts'],
    testFiles: CRM_AUTH_UNIT,
  },
  {
    pkg: 'crm-auth',
    dir: 'packages/crm-auth',
    name: 'dataverse',
    label: 'Dataverse (client assertion, token client, Web API client and session)',
    target: 85,
    mutate: ['src/dataverse/**/*.ts'],
    // The Dataverse client is checked mostly against the emulated identity platform and Web API: its four
    // int-specs (one emulator per file) join the unit specs. Without them 282 of 933 mutants had no test at all.
    testFiles: [
      ...CRM_AUTH_UNIT,
      'test/integration/dataverse-client.int-spec.ts',
      'test/integration/dataverse-session.int-spec.ts',
      'test/integration/entra-token.int-spec.ts',
      'test/integration/org-session.int-spec.ts',
    ],
    timeoutMS: 30_000,
  },
  // emulator: its specs run the emulator in-process from src, so they see the mutants.
  {
    pkg: 'emulator',
    dir: 'apps/emulator',
    name: 'caller-resolver',
    label: 'caller resolver',
    target: 75,
    mutate: ['src/crm/crm-caller.resolver.ts'],
    // Every spec that sends a CrmService request (each one goes through readAuthToken and resolveCaller;
    // org-urls routes by the token's OrganizationName, scenarios holds the impersonation scenarios).
    testFiles: [
      'test/crm-rules.int-spec.ts',
      'test/core-flow.int-spec.ts',
      'test/scenarios.int-spec.ts',
      'test/crm-namespaces.int-spec.ts',
      'test/org-urls.int-spec.ts',
      'test/fixtures.int-spec.ts',
      'test/hostile.int-spec.ts',
      'test/passport-tickets.int-spec.ts',
      'test/wsdl-client.int-spec.ts',
      'test/*.mutation.int-spec.ts',
      'src/**/*.spec.ts',
    ],
  },
  {
    pkg: 'emulator',
    dir: 'apps/emulator',
    name: 'stamping',
    label: 'stamping (records service)',
    target: 75,
    mutate: ['src/crm/crm-records.service.ts'],
    // Every spec that creates, updates, retrieves or deletes records through CrmService.
    testFiles: [
      'test/crm-entities.int-spec.ts',
      'test/crm-rules.int-spec.ts',
      'test/core-flow.int-spec.ts',
      'test/control-api.int-spec.ts',
      'test/crm-namespaces.int-spec.ts',
      'test/xml-input.int-spec.ts',
      'test/fixtures.int-spec.ts',
      'test/scenarios.int-spec.ts',
      'test/wsdl-client.int-spec.ts',
      'test/*.mutation.int-spec.ts',
      'src/**/*.spec.ts',
    ],
  },
  {
    pkg: 'emulator',
    dir: 'apps/emulator',
    name: 'entra',
    label: 'identity platform (token checks, consent)',
    target: 75,
    mutate: ['src/entra/entra.handler.ts', 'src/entra/entra-directory.ts'],
    // Every spec that asks the emulated identity platform for a token or a consent.
    testFiles: [
      'test/entra-*.int-spec.ts',
      'test/entra-*.ts',
      'test/dataverse-*.int-spec.ts',
      'src/**/*.spec.ts',
    ],
  },

  // API: Postgres + emulator integration suites; see stryker/README.md for what is feasible here.
  // crm: the call path, the ledger (its service and LedgerRepository, which holds every statement over crm_calls and
  // crm_stamps, including the audit search built by ledger-query.ts), reconciliation and the records controller; the entity, the modules and the DTO
  // are decorators only. reconcile.mutation.int-spec and ledger.mutation.int-spec pin the verdicts and the ledger
  // rows without the emulator. flow.int-spec is left out: its tests build on each other (see onboarding), so run
  // alone they fail whatever the mutant (false kills).
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'crm',
    label: 'reconciliation, ledger and calls',
    target: 75,
    timeoutMS: 30_000,
    mutate: [
      'src/crm/crm-calls.service.ts',
      'src/crm/crm-errors.ts',
      'src/crm/group-commit.ts',
      'src/crm/ledger.service.ts',
      'src/crm/ledger.repository.ts',
      'src/crm/ledger-query.ts',
      'src/crm/reconcile.service.ts',
      'src/crm/reconcile.controller.ts',
      'src/crm/records.controller.ts',
      'src/crm/dto/record-body.pipe.ts',
    ],
    testFiles: [
      'src/crm/**/*.spec.ts',
      'test/reconcile.mutation.int-spec.ts',
      'test/ledger.mutation.int-spec.ts',
      'test/audit.mutation.int-spec.ts',
      // the chain's sealing and cursor (LedgerRepository), the lost-reply link's SQL
      'test/ledger-chain.int-spec.ts',
      'test/reconcile-lost-reply.mutation.int-spec.ts',
      'test/reconciliation-anomalies.int-spec.ts',
      'test/mapping-eviction.int-spec.ts',
    ],
  },
  // auth: the guard, the service's rules (first admin, sign-in, session expiry and sliding, API-key cache), the
  // sign-in limiter, the password check and the controller's cookie. Left out: the entities, the module and the
  // DTO (decorators only: static mutants, never run). Killed by unit specs (guard and controller on fakes, limiter
  // on a fake clock, argon2 hasher) and auth.mutation.int-spec (AuthService on a real Postgres, no HTTP).
  // auth.int-spec and security.int-spec are left out: they boot the API (security.int-spec the emulator too) and
  // every request passes the guard, so each guard mutant would cost a stack start for rules the unit specs pin.
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'auth',
    label: 'auth guard',
    target: 75,
    timeoutMS: 30_000,
    mutate: [
      'src/auth/auth.guard.ts',
      'src/auth/auth.service.ts',
      'src/auth/login-rate-limiter.ts',
      'src/auth/password-hasher.ts',
      'src/auth/auth.controller.ts',
      'src/auth/admin-accounts.repository.ts',
      'src/auth/api-keys.repository.ts',
    ],
    // api-keys.int-spec and admin-users.int-spec boot the API, but they are the only specs that reach the two
    // repositories' statements (AdminAccountsRepository's lock and admin counts, ApiKeysRepository's writes).
    testFiles: [
      'src/auth/**/*.spec.ts',
      'test/auth.mutation.int-spec.ts',
      'test/api-keys.int-spec.ts',
      'test/admin-users.int-spec.ts',
    ],
  },
  // onboarding: the steps (onboarding.service.ts) and their hints; the run entity is decorators only. Killed by
  // onboarding-hints.spec and onboarding.mutation.int-spec (API + emulator, one fresh emulator org per test).
  // flow.int-spec is left out: its tests build on each other (the certificate and the org of earlier tests), so
  // run alone, as Stryker runs the tests that reach a mutant, they fail whatever the mutant: false kills.
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'onboarding',
    label: 'onboarding and hints',
    target: 75,
    timeoutMS: 30_000,
    mutate: ['src/orgs/onboarding.service.ts', 'src/orgs/onboarding-hints.ts'],
    testFiles: ['src/orgs/**/*.spec.ts', 'test/onboarding.mutation.int-spec.ts'],
  },
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'certificate-status',
    label: 'certificate status',
    target: 75,
    timeoutMS: 30_000,
    // The one rule (certificate-status.ts) and the service that applies it; killed by their unit specs (an in-memory
    // repository) and certificate-status.int-spec (the overview, the list and the certificate's page agree).
    mutate: ['src/certificates/certificate-status.ts', 'src/certificates/certificates.service.ts'],
    testFiles: ['src/certificates/**/*.spec.ts', 'test/certificate-status.int-spec.ts'],
  },
  // audit: the rule files: filters and dates (audit.service.ts), the SQL and cursor (ledger-query.ts), the row
  // mapping, CSV fields and streaming, the query DTO's transforms. Left out: the two controllers (one call each),
  // the module, the stamp entity and the admin-audit DTO (decorators only: static mutants). Killed by the unit
  // specs under src/audit and audit.mutation.int-spec (AuditService on a real Postgres, no HTTP). audit.int-spec is
  // left out: it boots the API, signs two users in and writes 41,000 rows in one test, for rules the two others pin.
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'audit',
    label: 'audit query and cursor',
    target: 75,
    timeoutMS: 30_000,
    mutate: [
      'src/audit/audit.service.ts',
      'src/audit/ledger-query.ts',
      'src/audit/ledger-item.ts',
      'src/audit/csv.ts',
      'src/audit/csv-response.ts',
      'src/audit/dto/audit-query.dto.ts',
    ],
    // admin-audit.int-spec: the admin log's filters and their date range (listAdminAudit).
    testFiles: ['src/audit/**/*.spec.ts', 'test/audit.mutation.int-spec.ts', 'test/admin-audit.int-spec.ts'],
  },
  {
    pkg: 'api',
    dir: 'apps/api',
    name: 'user-mappings',
    label: 'user mappings',
    target: 75,
    mutate: ['src/user-mappings/**/*.ts', '!src/user-mappings/**/*.spec.ts'],
    testFiles: [
      'src/user-mappings/**/*.spec.ts',
      'test/mapping-eviction.int-spec.ts',
      'test/end-user.int-spec.ts',
    ],
  },
];

export function findModule(id) {
  return MODULES.find((m) => `${m.pkg}/${m.name}` === id);
}
