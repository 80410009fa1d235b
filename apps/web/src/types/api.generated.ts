// Generated from apps/api/openapi.json by openapi-typescript: do not edit. After changing the API's replies run: npm run openapi

export interface paths {
    "/api/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MetricsController_render"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["AuthController_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["AuthController_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuthController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/certificates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CertificatesController_list"];
        put?: never;
        post: operations["CertificatesController_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/certificates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CertificatesController_get"];
        put?: never;
        post?: never;
        delete: operations["CertificatesController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/ticket-health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["TicketsController_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tickets/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["TicketsController_all"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/tickets/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["TicketsController_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OrgsController_list"];
        put?: never;
        post: operations["OrgsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OrgsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/onboarding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrgsController_rerun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/onboarding/runs/latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OrgsController_latest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/certificate/stage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrgsController_stage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/certificate/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrgsController_promote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/certificate/staged": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["OrgsController_unstage"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/user-mappings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["UserMappingsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/user-mappings/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["UserMappingsController_resolve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/user-mappings/{puid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["UserMappingsController_evict"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/records/{entity}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RecordsController_list"];
        put?: never;
        post: operations["RecordsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/records/{entity}/{recordId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RecordsController_retrieve"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: operations["RecordsController_update"];
        trace?: never;
    };
    "/api/orgs/{id}/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RecordsController_whoami"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RecordsController_calls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}/reconcile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ReconcileController_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rps/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RpsController_login"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rps/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RpsController_callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rps/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RpsController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rps/records/{entity}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RpsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rps/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RpsController_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OverviewController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AdminUsersController_list"];
        put?: never;
        post: operations["AdminUsersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin-users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["AdminUsersController_remove"];
        options?: never;
        head?: never;
        patch: operations["AdminUsersController_update"];
        trace?: never;
    };
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApiKeysController_list"];
        put?: never;
        post: operations["ApiKeysController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["ApiKeysController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin-audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AdminAuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        LoginDto: {
            /** @example admin@localhost */
            email: string;
            password: string;
        };
        /** @enum {string} */
        Role: "admin" | "auditor";
        UserDto: {
            /** Format: uuid */
            id: string;
            email: string;
            name: string;
            role: components["schemas"]["Role"];
        };
        SessionDto: {
            user: components["schemas"]["UserDto"];
            /** @description Sent back in X-CSRF-Token on every write made with the session. */
            csrfToken: string;
            /** Format: date-time */
            sessionExpiresAt: string;
        };
        ErrorDto: {
            /** @example ORG_NOT_FOUND */
            code: string;
            message: string;
            details?: {
                [key: string]: unknown;
            };
        };
        HealthCheckErrorDto: {
            code: string;
            message: string;
        };
        HealthCheckDto: {
            /** @enum {string} */
            status: "up" | "down" | "not-configured";
            latencyMs: number;
            target: string;
            error?: components["schemas"]["HealthCheckErrorDto"];
        };
        HealthChecksDto: {
            database: components["schemas"]["HealthCheckDto"];
            emulator: components["schemas"]["HealthCheckDto"];
        };
        HealthReportDto: {
            /** @enum {string} */
            status: "ok" | "degraded";
            version: string;
            checks: components["schemas"]["HealthChecksDto"];
        };
        UploadCertificateDto: {
            /** @description A name for people; defaults to the certificate subject CN */
            name?: string;
            /**
             * @description The service account's Live ID
             * @example erp_integration@contoso-isv.example
             */
            serviceAccountLiveId: string;
            /** @enum {string} */
            format: "pem" | "pkcs12";
            /** @description format=pem: the certificate (may also hold the key and chain) */
            certificatePem?: string;
            /** @description format=pem: the private key, unless it is in certificatePem */
            privateKeyPem?: string;
            /** @description format=pem: intermediate and root certificates */
            chainPem?: string;
            /** @description format=pkcs12: the .pfx/.p12 file, base64 */
            pkcs12Base64?: string;
            /** @description format=pkcs12: its password (may be empty) */
            password?: string;
        };
        /** @enum {string} */
        CertificateStatus: "valid" | "expiring" | "invalid";
        CertificateProblemDto: {
            code: string;
            /** @enum {string} */
            severity: "error" | "warning";
            message: string;
        };
        ChainLinkDto: {
            subject: string;
            issuer: string;
            thumbprintSha1Hex: string;
            thumbprintSha1Base64?: string;
            /** Format: date-time */
            notBefore: string;
            /** Format: date-time */
            notAfter: string;
            isRoot: boolean;
            isPinned: boolean;
        };
        CertificateUserDto: {
            /** Format: uuid */
            id: string;
            friendlyName: string;
            /** @enum {string} */
            role: "active" | "staged";
        };
        CertificateDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: date-time */
            notAfter: string;
            daysToExpiry: number;
            status: components["schemas"]["CertificateStatus"];
            serviceAccountLiveId: string;
            subject: string;
            issuer: string;
            serialNumber: string;
            thumbprintSha1Hex: string;
            thumbprintSha1Base64: string;
            thumbprintSha256: string;
            /** Format: date-time */
            notBefore: string;
            problems: components["schemas"]["CertificateProblemDto"][];
            chain: components["schemas"]["ChainLinkDto"][];
            /** Format: date-time */
            createdAt: string;
            orgs?: components["schemas"]["CertificateUserDto"][];
        };
        CertificateListDto: {
            items: components["schemas"]["CertificateDto"][];
        };
        /** @enum {string} */
        TicketState: "valid" | "expiring" | "expired" | "missing" | "failing";
        TicketSummaryDto: {
            state: components["schemas"]["TicketState"];
            /** Format: date-time */
            crmTicketExpiresAt: string | null;
            /** Format: date-time */
            passportTicketExpiresAt: string | null;
            /** Format: date-time */
            issuedAt: string | null;
            /** Format: date-time */
            lastRefreshAt: string | null;
            lastRefreshLatencyMs: number | null;
            refreshCount: number;
            expiredFaults24h: number;
            failures24h: number;
            lastErrorCode: string | null;
        };
        /** @enum {string} */
        TicketEventType: "issued" | "refreshed" | "expired-fault" | "failure";
        TicketEventDto: {
            id: string;
            type: components["schemas"]["TicketEventType"];
            /** Format: date-time */
            at: string;
            latencyMs: number | null;
            errorCode: string | null;
        };
        TicketSeriesBucketDto: {
            /** Format: date-time */
            bucketStart: string;
            issued: number;
            refreshed: number;
            expiredFaults: number;
            failures: number;
        };
        /** @enum {string} */
        BreakerState: "closed" | "open" | "half-open";
        TicketHealthDto: {
            /** Format: uuid */
            orgId: string;
            ticket: components["schemas"]["TicketSummaryDto"] | null;
            events: components["schemas"]["TicketEventDto"][];
            series: components["schemas"]["TicketSeriesBucketDto"][];
            breaker: components["schemas"]["BreakerState"];
        };
        OrgTicketHealthDto: {
            /** Format: uuid */
            orgId: string;
            friendlyName: string;
            ticket: components["schemas"]["TicketSummaryDto"] | null;
            breaker: components["schemas"]["BreakerState"];
        };
        TicketHealthListDto: {
            items: components["schemas"]["OrgTicketHealthDto"][];
        };
        /**
         * @description CRM 4.0 Online (`crm4`, the default: give `discoveryUrl`) or Dataverse (`dataverse`: give `tenant`, `environmentUrl` and `clientId`)
         * @enum {string}
         */
        OrgKind: "crm4" | "dataverse";
        CreateOrgDto: {
            /**
             * @description CRM 4.0 Online (`crm4`, the default: give `discoveryUrl`) or Dataverse (`dataverse`: give `tenant`, `environmentUrl` and `clientId`)
             * @default crm4
             */
            kind: components["schemas"]["OrgKind"];
            /**
             * @description CRM 4.0 orgs (required for them), never Dataverse ones
             * @example https://localhost:8443/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx
             */
            discoveryUrl?: string;
            /**
             * @description Dataverse orgs: the customer's Entra tenant, its id (a GUID) or a verified domain
             * @example contoso.onmicrosoft.com
             */
            tenant?: string;
            /**
             * @description Dataverse orgs: the environment URL
             * @example https://contoso.crm.dynamics.com
             */
            environmentUrl?: string;
            /**
             * Format: uuid
             * @description Dataverse orgs: the ISV app's application (client) id
             */
            clientId?: string;
            /**
             * @description The org's FriendlyName as the customer knows it, or its unique name (OrganizationName) when several orgs share it (step organizations fails with ORG_AMBIGUOUS)
             * @example Contoso Ltd
             */
            friendlyName: string;
            certificateId: string;
        };
        /** @enum {string} */
        OrgStatus: "onboarding" | "active" | "failed";
        IdNameDto: {
            id: string;
            name: string;
        };
        /** @enum {string} */
        OnboardingRunStatus: "running" | "succeeded" | "failed";
        /** @enum {string} */
        OnboardingStepName: "policy" | "wlid-ticket" | "organizations" | "crm-ticket" | "whoami" | "proxy-role" | "test-write" | "token" | "delegate";
        /** @enum {string} */
        StepStatus: "pending" | "running" | "succeeded" | "failed" | "skipped";
        OnboardingStepErrorDto: {
            code: string;
            message: string;
            /** @description What to do about it. */
            hint: string;
        };
        OnboardingStepDto: {
            name: components["schemas"]["OnboardingStepName"];
            title: string;
            status: components["schemas"]["StepStatus"];
            durationMs: number | null;
            detail: string | null;
            error?: components["schemas"]["OnboardingStepErrorDto"];
        };
        OnboardingRunDto: {
            /** Format: uuid */
            id: string;
            status: components["schemas"]["OnboardingRunStatus"];
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            finishedAt: string | null;
            steps: components["schemas"]["OnboardingStepDto"][];
        };
        OrgDto: {
            /** Format: uuid */
            id: string;
            /** @description CRM 4.0 Online (`crm4`) or Dataverse (`dataverse`) */
            kind: components["schemas"]["OrgKind"];
            friendlyName: string;
            organizationName: string | null;
            organizationId: string | null;
            /** @description CRM 4.0 orgs only. */
            discoveryUrl: string | null;
            /** @description Dataverse orgs only: the customer's Entra tenant. */
            tenant: string | null;
            /** @description Dataverse orgs only: the environment URL. */
            environmentUrl: string | null;
            /**
             * Format: uuid
             * @description Dataverse orgs only: the ISV app's client id.
             */
            clientId: string | null;
            crmServiceUrl: string | null;
            status: components["schemas"]["OrgStatus"];
            /** Format: uuid */
            certificateId: string;
            /** Format: uuid */
            stagedCertificateId: string | null;
            /** @description The service account's CRM user. */
            serviceAccount: components["schemas"]["IdNameDto"] | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            lastRun: components["schemas"]["OnboardingRunDto"] | null;
            ticket: components["schemas"]["TicketSummaryDto"] | null;
            breaker: components["schemas"]["BreakerState"];
        };
        OrgWithRunDto: {
            org: components["schemas"]["OrgDto"];
            run: components["schemas"]["OnboardingRunDto"];
        };
        OrgListDto: {
            items: components["schemas"]["OrgDto"][];
        };
        StageCertificateDto: {
            certificateId: string;
        };
        UserMappingDto: {
            /** @description HexPUID (Windows Live) */
            puid: string;
            /** Format: uuid */
            systemUserId: string | null;
            fullName: string | null;
            /** @enum {string} */
            status: "found" | "not-found";
            /** Format: date-time */
            verifiedAt: string;
            /** Format: date-time */
            expiresAt: string;
            hits: number;
            misses: number;
        };
        UserMappingStatsDto: {
            hits: number;
            misses: number;
            entries: number;
        };
        UserMappingListDto: {
            items: components["schemas"]["UserMappingDto"][];
            stats: components["schemas"]["UserMappingStatsDto"];
        };
        ResolveDto: {
            /** @example 0003BFFD8F3A5B21 */
            puid: string;
        };
        OnBehalfOfDto: {
            /**
             * @description The user's HexPUID (Windows Live)
             * @example 0003BFFD8F3A5B21
             */
            puid?: string;
            /** @description The user's CRM systemuserid */
            userId?: string;
            /**
             * Format: uuid
             * @description Dataverse orgs only: the user's Entra ID object id (sent as CallerObjectId)
             */
            entraObjectId?: string;
        };
        WriteRecordDto: {
            /**
             * @description Attribute values: strings, numbers, booleans, or lookups {id, type}
             * @example {
             *       "name": "Fourth Coffee"
             *     }
             */
            attributes?: Record<string, never>;
            onBehalfOf?: components["schemas"]["OnBehalfOfDto"];
        };
        CreatedRecordDto: {
            /**
             * Format: uuid
             * @description The new record's id in CRM.
             */
            id: string;
            /** @description The call in the ledger (GET /audit). */
            ledgerId: string;
        };
        UpdatedRecordDto: {
            /** @description The call in the ledger (GET /audit). */
            ledgerId: string;
        };
        CrmLookupDto: {
            /** @description Lower-case GUID without braces. */
            id: string;
            /** @description Logical name of the referenced entity, e.g. systemuser. */
            type: string;
            name?: string;
        };
        CrmRecordDto: {
            /** @example account */
            logicalName: string;
            attributes: {
                [key: string]: string | components["schemas"]["CrmLookupDto"] | {
                    [key: string]: string | components["schemas"]["CrmLookupDto"];
                }[];
            };
        };
        RetrievedRecordDto: {
            entity: components["schemas"]["CrmRecordDto"];
        };
        RecordPageDto: {
            items: components["schemas"]["CrmRecordDto"][];
            moreRecords: boolean;
            /** @description Pass as `pagingCookie` for the next page. */
            pagingCookie: string | null;
        };
        WhoAmIDto: {
            onBehalfOf?: components["schemas"]["OnBehalfOfDto"];
        };
        WhoAmIResultDto: {
            /** Format: uuid */
            userId: string;
            /** Format: uuid */
            businessUnitId: string;
            /** Format: uuid */
            organizationId: string;
        };
        LedgerOrgDto: {
            /** Format: uuid */
            id: string;
            friendlyName: string | null;
        };
        /** @enum {string} */
        LedgerOutcome: "pending" | "completed" | "failed";
        RefDto: {
            id: string | null;
            name: string | null;
        };
        LedgerOnBehalfOfDto: {
            id: string | null;
            name: string | null;
            puid: string | null;
        };
        CrmStampsDto: {
            createdby: components["schemas"]["RefDto"] | null;
            createdonbehalfby: components["schemas"]["RefDto"] | null;
            modifiedby: components["schemas"]["RefDto"] | null;
            modifiedonbehalfby: components["schemas"]["RefDto"] | null;
        };
        /** @enum {string} */
        Reconciliation: "match" | "mismatch" | "missing" | "not-stamped" | "unverified";
        LedgerItemDto: {
            id: string;
            /** Format: date-time */
            at: string;
            /** Format: date-time */
            completedAt: string | null;
            org: components["schemas"]["LedgerOrgDto"];
            operation: string;
            entity: string | null;
            recordId: string | null;
            outcome: components["schemas"]["LedgerOutcome"];
            errorCode: string | null;
            latencyMs: number | null;
            requestId: string | null;
            serviceAccount: components["schemas"]["RefDto"];
            onBehalfOf: components["schemas"]["LedgerOnBehalfOfDto"] | null;
            crm: components["schemas"]["CrmStampsDto"] | null;
            reconciliation: components["schemas"]["Reconciliation"];
            /** @description Why reconciliation said so; null when it matched or has not run. */
            reconciliationNote: string | null;
            /**
             * Format: uuid
             * @description A Create whose reply was lost, linked by reconciliation to the record CRM created for it: that record's id (recordId stays what the call path wrote). Null otherwise.
             */
            linkedRecordId: string | null;
        };
        LedgerListDto: {
            items: components["schemas"]["LedgerItemDto"][];
        };
        UnknownChangeDto: {
            entity: string;
            /** Format: uuid */
            recordId: string;
            /** Format: date-time */
            modifiedon: string | null;
        };
        LinkedLostReplyDto: {
            entity: string;
            /** Format: uuid */
            recordId: string;
            /**
             * Format: uuid
             * @description The Create's ledger row.
             */
            ledgerId: string;
            /**
             * @description How the link was made: 'id', the record id a keyed Create named (no other row names the record); 'inference', the only record of the entity created as the Create asked while it could have run (probable, not sure: a Create that never reached CRM is then linked to another record created so).
             * @enum {string}
             */
            by: "id" | "inference";
        };
        AmbiguousChangeDto: {
            entity: string;
            /** Format: uuid */
            recordId: string;
            /** @description The ledger rows that could be its Create. */
            ledgerIds: string[];
        };
        ReconcileReportDto: {
            checked: number;
            match: number;
            mismatch: number;
            missing: number;
            /** @description Calls made on behalf of a user that the platform ran without the on-behalf stamp (not-stamped) */
            notStamped: number;
            unknownChanges: number;
            pendingResolved: number;
            unknown: components["schemas"]["UnknownChangeDto"][];
            linked: components["schemas"]["LinkedLostReplyDto"][];
            ambiguous: components["schemas"]["AmbiguousChangeDto"][];
        };
        EndUserDto: {
            /** @description HexPUID */
            puid: string;
            liveId: string;
            firstName: string | null;
            lastName: string | null;
            /** Format: uuid */
            orgId: string;
            /** @description When the end-user session ends, in epoch milliseconds. */
            expiresAt: number;
        };
        ActingAsDto: {
            /** Format: uuid */
            id: string;
            name: string | null;
            puid: string | null;
        };
        StampDto: {
            /** Format: uuid */
            id: string;
            name: string | null;
        };
        RecordStampsDto: {
            createdby: components["schemas"]["StampDto"] | null;
            createdonbehalfby: components["schemas"]["StampDto"] | null;
            modifiedby: components["schemas"]["StampDto"] | null;
            modifiedonbehalfby: components["schemas"]["StampDto"] | null;
            ownerid: components["schemas"]["StampDto"] | null;
        };
        EndUserRecordDto: {
            /** Format: uuid */
            id: string;
            ledgerId: string;
            actingAs: components["schemas"]["ActingAsDto"] | null;
            stamps: components["schemas"]["RecordStampsDto"] | null;
        };
        CertificateSummaryDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: date-time */
            notAfter: string;
            daysToExpiry: number;
            status: components["schemas"]["CertificateStatus"];
        };
        OverviewOrgDto: {
            /** Format: uuid */
            id: string;
            friendlyName: string;
            organizationName: string | null;
            status: components["schemas"]["OrgStatus"];
            ticket: components["schemas"]["TicketSummaryDto"] | null;
            breaker: components["schemas"]["BreakerState"];
            certificate: components["schemas"]["CertificateSummaryDto"] | null;
            calls24h: number;
            failures24h: number;
            expiredFaults24h: number;
            /** @description What needs attention, one line each. */
            attention: string[];
        };
        OverviewTotalsDto: {
            orgs: number;
            active: number;
            failing: number;
            certificatesExpiring: number;
        };
        OverviewDto: {
            orgs: components["schemas"]["OverviewOrgDto"][];
            totals: components["schemas"]["OverviewTotalsDto"];
        };
        AdminUserDto: {
            /** Format: uuid */
            id: string;
            email: string;
            name: string;
            role: components["schemas"]["Role"];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastLoginAt: string | null;
        };
        AdminUserListDto: {
            items: components["schemas"]["AdminUserDto"][];
        };
        CreateAdminUserDto: {
            /** @example ada@contoso-isv.example */
            email: string;
            /** @example Ada Lovelace */
            name: string;
            /** @enum {string} */
            role: "admin" | "auditor";
            /** @description Hashed with argon2id; never returned or logged */
            password: string;
        };
        UpdateAdminUserDto: {
            name?: string;
            /**
             * @description A change revokes the user's sessions
             * @enum {string}
             */
            role?: "admin" | "auditor";
            /** @description A change revokes the user's other sessions */
            password?: string;
        };
        ApiKeyDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description The start of the key, to tell keys apart. */
            prefix: string;
            scopes: ("calls" | "audit:read" | "metrics:read" | "admin")[];
            /** @description The orgs a `calls` key may act on. */
            orgIds: string[];
            /** @description The ids in `orgIds` whose org has since been deleted. Org ids are never reused, so the key gains no access; replace it with a key for the orgs that remain. */
            deletedOrgIds: string[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            lastUsedAt: string | null;
            /** @description The address the key was last used from. */
            lastUsedIp: string | null;
            /** Format: date-time */
            revokedAt: string | null;
            /** @description Created before scopes existed and made `admin`: replace it with a scoped key. */
            legacy: boolean;
        };
        ApiKeyListDto: {
            items: components["schemas"]["ApiKeyDto"][];
        };
        CreateApiKeyDto: {
            /**
             * @description What the key is for, so that it can be revoked knowingly
             * @example ERP nightly sync
             */
            name: string;
            /**
             * @description What the key may do: `calls` (impersonated calls on `orgIds`), `audit:read`, `metrics:read` (the Prometheus scrape target), `admin`. Required: a key gets no power it was not given by name.
             * @example [
             *       "calls"
             *     ]
             */
            scopes: ("calls" | "audit:read" | "metrics:read" | "admin")[];
            /** @description The orgs a `calls` key may act on (required with `calls`, refused without it). Each must exist (400 API_KEY_UNKNOWN_ORG); an id given twice, in any case, counts once. */
            orgIds?: string[];
            /**
             * Format: date-time
             * @description When the key stops working (401 API_KEY_EXPIRED); omitted or null: never.
             */
            expiresAt?: string | null;
        };
        CreatedApiKeyDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description The only time the key is shown; only its SHA-256 is stored. */
            key: string;
            prefix: string;
            scopes: ("calls" | "audit:read" | "metrics:read" | "admin")[];
            orgIds: string[];
            /** Format: date-time */
            expiresAt: string | null;
        };
        LedgerPageDto: {
            items: components["schemas"]["LedgerItemDto"][];
            /** @description Pass as `cursor` for the next page. */
            nextCursor: string | null;
        };
        /**
         * @description changed: a sealed row no longer hashes to its hash; deleted: a seq is missing, or the head is beyond the last row; inserted: a row the chain does not account for; reordered: rows that exchanged places.
         * @enum {string}
         */
        ChainBreakKind: "changed" | "deleted" | "inserted" | "reordered";
        ChainBreakDto: {
            /** @description changed: a sealed row no longer hashes to its hash; deleted: a seq is missing, or the head is beyond the last row; inserted: a row the chain does not account for; reordered: rows that exchanged places. */
            kind: components["schemas"]["ChainBreakKind"];
            /**
             * Format: uuid
             * @description The row; null when it is gone.
             */
            rowId: string | null;
            /**
             * @description Its chain seq (decimal), or the first missing one.
             * @example 42
             */
            seq: string;
            /** @description What the verifier saw there. */
            detail: string;
        };
        ChainVerdictDto: {
            /** Format: uuid */
            orgId: string;
            /** @description Sealed rows that verified, before the break if there is one. */
            rows: number;
            /**
             * Format: date-time
             * @description When the last row that verified was sealed (UTC, microseconds); null when none did.
             */
            verifiedThrough: string | null;
            /** @description The head's seq; null when the org has no chain yet. */
            headSeq: string | null;
            /** @description The first break; null when the chain verifies. */
            break: components["schemas"]["ChainBreakDto"] | null;
        };
        AdminAuditActorDto: {
            /** Format: uuid */
            id: string | null;
            email: string | null;
        };
        AdminAuditItemDto: {
            id: string;
            /** Format: date-time */
            at: string;
            actor: components["schemas"]["AdminAuditActorDto"];
            action: string;
            target: string | null;
            /** @enum {string} */
            outcome: "success" | "failure";
            ip: string | null;
            /** Format: uuid */
            orgId: string | null;
            diff: {
                [key: string]: unknown;
            } | null;
        };
        AdminAuditPageDto: {
            items: components["schemas"]["AdminAuditItemDto"][];
            nextCursor: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    MetricsController_render: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuthController_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginDto"];
            };
        };
        responses: {
            /** @description Signed in: the session cookie is set. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description AUTH_RATE_LIMITED: too many attempts; `Retry-After` and `details.retryAfterSec` give the seconds left in the window. */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuthController_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuthController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    HealthController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every check is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReportDto"];
                };
            };
            /** @description A check is down. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReportDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    CertificatesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CertificateListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    CertificatesController_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UploadCertificateDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CertificateDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    CertificatesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CertificateDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    CertificatesController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    TicketsController_health: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketHealthDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    TicketsController_all: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketHealthListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    TicketsController_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The org's ticket after the refresh. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketSummaryDto"] | null;
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrgDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgWithRunDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_rerun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgWithRunDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_latest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OnboardingRunDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_stage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StageCertificateDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_promote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OrgsController_unstage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    UserMappingsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserMappingListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    UserMappingsController_resolve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResolveDto"];
            };
        };
        responses: {
            /** @description The mapping, found or not (a negative entry is cached too). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserMappingDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    UserMappingsController_evict: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                puid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                entity: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordPageDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_create: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: 1-255 printable ASCII characters, kept 24 hours per org. The same key and request get the first reply again (with `Idempotent-Replayed: true`) without calling CRM. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
                entity: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WriteRecordDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedRecordDto"];
                };
            };
            /** @description `IDEMPOTENCY_KEY_INVALID`: the key is empty, longer than 255 characters or not printable ASCII. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description `IDEMPOTENCY_IN_PROGRESS`: the first request with this key is still running; retry later. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description `IDEMPOTENCY_KEY_REUSED`: the key was used for another request (body, route, entity, record or caller). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_retrieve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                entity: string;
                recordId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetrievedRecordDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: 1-255 printable ASCII characters, kept 24 hours per org. The same key and request get the first reply again (with `Idempotent-Replayed: true`) without calling CRM. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
                entity: string;
                recordId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WriteRecordDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UpdatedRecordDto"];
                };
            };
            /** @description `IDEMPOTENCY_KEY_INVALID`: the key is empty, longer than 255 characters or not printable ASCII. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description `IDEMPOTENCY_IN_PROGRESS`: the first request with this key is still running; retry later. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description `IDEMPOTENCY_KEY_REUSED`: the key was used for another request (body, route, entity, record or caller). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_whoami: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["WhoAmIDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WhoAmIResultDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RecordsController_calls: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LedgerListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    ReconcileController_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconcileReportDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RpsController_login: {
        parameters: {
            query: {
                orgId: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the RPS sign-in page. */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RpsController_callback: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the console (/test-as-user) or back to the RPS page. */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RpsController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndUserDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RpsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                entity: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WriteRecordDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndUserRecordDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    RpsController_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    OverviewController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OverviewDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AdminUsersController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AdminUsersController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateAdminUserDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AdminUsersController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AdminUsersController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateAdminUserDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    ApiKeysController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyListDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    ApiKeysController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKeyDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKeyDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    ApiKeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuditController_search: {
        parameters: {
            query?: {
                /** @description Inclusive lower bound on the time (ISO 8601; no zone means UTC) */
                from?: string;
                /** @description Upper bound: exclusive for a date-time; a date alone includes that whole day (UTC) */
                to?: string;
                orgId?: string;
                /** @description Service account: its CRM systemuserid (UUID) or its name (case-insensitive, exact) */
                actor?: string;
                /** @description The user acted for: a CRM systemuserid (UUID, exact), a PUID (16 hex digits, exact), or else a case-insensitive substring of the user's full name */
                onBehalfOf?: string;
                /** @description CRM entity logical name (exact, case-insensitive) */
                entity?: string;
                /** @description One or more of pending, completed, failed (comma-separated) */
                outcome?: string;
                /** @description One or more of match, mismatch, missing, not-stamped, unverified (comma-separated) */
                reconciliation?: string;
                /** @description The nextCursor of the previous page (opaque) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LedgerPageDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuditController_export: {
        parameters: {
            query?: {
                /** @description Inclusive lower bound on the time (ISO 8601; no zone means UTC) */
                from?: string;
                /** @description Upper bound: exclusive for a date-time; a date alone includes that whole day (UTC) */
                to?: string;
                orgId?: string;
                /** @description Service account: its CRM systemuserid (UUID) or its name (case-insensitive, exact) */
                actor?: string;
                /** @description The user acted for: a CRM systemuserid (UUID, exact), a PUID (16 hex digits, exact), or else a case-insensitive substring of the user's full name */
                onBehalfOf?: string;
                /** @description CRM entity logical name (exact, case-insensitive) */
                entity?: string;
                /** @description One or more of pending, completed, failed (comma-separated) */
                outcome?: string;
                /** @description One or more of match, mismatch, missing, not-stamped, unverified (comma-separated) */
                reconciliation?: string;
                /** @description The nextCursor of the previous page (opaque) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every matching ledger entry as CSV, one row per call. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AuditController_verify: {
        parameters: {
            query: {
                /** @description The org whose ledger chain to verify */
                orgId: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainVerdictDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
    AdminAuditController_list: {
        parameters: {
            query?: {
                /** @description Inclusive lower bound on the time (ISO 8601; no zone means UTC) */
                from?: string;
                /** @description Upper bound: exclusive for a date-time; a date alone includes that whole day (UTC) */
                to?: string;
                /** @description Action name (exact) */
                action?: string;
                /** @description The actor's email (case-insensitive, exact) */
                actor?: string;
                orgId?: string;
                outcome?: "success" | "failure";
                /** @description The nextCursor of the previous page (opaque) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAuditPageDto"];
                };
            };
            /** @description An error: `code` says which (docs/api.md lists them), `message` is for people. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDto"];
                };
            };
        };
    };
}
