/**
 * The ledger's vocabulary, for the contexts that read it (the audit explorer, the overview): a call's
 * outcome and reconciliation's verdict. The crm context writes the ledger (crm-call.entity.ts).
 */
export type CallOutcome = 'pending' | 'completed' | 'failed';
export type Reconciliation = 'match' | 'mismatch' | 'missing' | 'not-stamped' | 'unverified';
