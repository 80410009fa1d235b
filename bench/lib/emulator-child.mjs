// The CRM Online emulator in its own process (so that it has its own event loop, as in production),
// started from the built @onbehalf/emulator. Options come as JSON in argv[2]; the running emulator's
// URLs and files go back over IPC. SIGTERM/SIGINT or an IPC 'close' stops it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startEmulator } = require('@onbehalf/emulator');

const options = JSON.parse(process.argv[2] ?? '{}');
const emulator = await startEmulator(options);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await emulator.close();
  } finally {
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('message', (m) => {
  if (m === 'close') void stop();
});
process.on('disconnect', () => void stop());
process.send({
  type: 'ready',
  url: emulator.url,
  port: emulator.port,
  discoveryUrl: emulator.discoveryUrl,
  crmServiceUrl: emulator.crmServiceUrl,
  stsUrl: emulator.stsUrl,
  rpsLoginUrl: emulator.rpsLoginUrl,
  caCertPem: emulator.caCertPem,
  caCertPath: emulator.caCertPath,
  demo: emulator.demo,
  entra: emulator.entra,
});
