export { startEmulator } from './start-emulator';
export type { EmulatorOptions, RunningEmulator, DemoFiles } from './start-emulator';
export { loadEmulatorConfig, EmulatorConfigError } from './config/emulator.config';
export type { EmulatorConfig } from './config/emulator.config';
export type {
  EmulatorControl,
  EmulatorStateView,
  RecordView,
  LifetimesInput,
  AddUserInput,
  AddOrgInput,
  OrgPatch,
  UserPatch,
} from './control/emulator.control';
export type { ScenarioInput } from './scenarios/scenario.engine';
export type { CallCounts } from './scenarios/call.counter';
export type { BarrierInput, BarrierStatus, BarrierThen } from './scenarios/crm-barrier';
export type { IssueCertificateRequest, IssuedCertificate } from './pki/pki.store';
export type { Lifetimes } from './http/emulator.context';
export type {
  ScenarioName,
  ScenarioEndpoint,
  ScenarioState,
  OrgState,
  UserState,
  LiveAccount,
  CertRegistration,
  Right,
} from './state/emulator-state.model';
export { SCENARIO_NAMES } from './state/emulator-state.model';
export { DEMO_IDS, SERVICE_ACCOUNT } from './state/demo-seed';
export { DEMO_ENTRA, EntraDirectory } from './entra/entra-directory';
export type { EntraApp, EntraTenant, IssuedToken } from './entra/entra-directory';
