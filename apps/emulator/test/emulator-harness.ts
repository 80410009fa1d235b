import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { inject } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index';

/** The project's wire-format corpus (`fixtures/` at the repository root; its README states the contract). */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures');

/**
 * An external conformance corpus of the same layout, when ONBEHALF_CONFORMANCE_DIR names one (CI
 * points it at its own copy). The conformance suites also run against it.
 */
export const EXTERNAL_FIXTURES: string | undefined = process.env['ONBEHALF_CONFORMANCE_DIR']
  ? path.resolve(process.env['ONBEHALF_CONFORMANCE_DIR'])
  : undefined;

/** Every corpus the conformance suites run against, the project's first. */
export const CORPORA: ReadonlyArray<{ label: string; dir: string }> = [
  { label: 'project fixtures', dir: FIXTURES },
  ...(EXTERNAL_FIXTURES ? [{ label: 'external corpus', dir: EXTERNAL_FIXTURES }] : []),
];

/** Reads a fixture as text, from the project's corpus unless another corpus is named. */
export function fixture(name: string, dir: string = FIXTURES): Promise<string> {
  return readFile(path.join(dir, name), 'utf8');
}

/** Reads a fixture's bytes (hostile files may not be valid UTF-8). */
export function fixtureBytes(name: string, dir: string = FIXTURES): Promise<Buffer> {
  return readFile(path.join(dir, name));
}

/** A started emulator with an HTTPS client that trusts its CA. */
export interface Harness {
  emu: RunningEmulator;
  dataDir: string;
  agent: Agent;
  /** A client presenting a client certificate (PEM key and certificate chain). */
  clientWith(cert: { certPem: string; keyPem: string; chainPem?: string }): Agent;
  post(
    path: string,
    body: string | Buffer,
    headers?: Record<string, string>,
    agent?: Agent,
  ): Promise<HttpResult>;
  get(path: string, headers?: Record<string, string>): Promise<HttpResult>;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

/** A response as text. */
export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Makes a fresh data dir holding a copy of the run's PKI template. */
export async function freshDataDir(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'emulator-test-'));
  await cp(inject('pkiTemplateDir'), dataDir, { recursive: true });
  return dataDir;
}

/** Starts an emulator on a random port with a fresh data dir (or the given one). */
export async function startHarness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await freshDataDir());
  const emu = await startEmulator({ port: 0, ...options, dataDir });
  const agent = new Agent({ connect: { ca: emu.caCertPem }, keepAliveTimeout: 10_000 });
  const agents: Agent[] = [agent];
  const send = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    p: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
    via: Agent,
  ): Promise<HttpResult> => {
    const res = await request(`${emu.url}${p}`, { method, body, headers, dispatcher: via });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  return {
    emu,
    dataDir,
    agent,
    clientWith(cert) {
      const client = new Agent({
        connect: { ca: emu.caCertPem, cert: cert.certPem + (cert.chainPem ?? ''), key: cert.keyPem },
      });
      agents.push(client);
      return client;
    },
    post: (p, body, headers = {}, via = agent) =>
      send('POST', p, body, { 'content-type': 'text/xml; charset=utf-8', ...headers }, via),
    get: (p, headers = {}) => send('GET', p, undefined, headers, agent),
    async control<T>(method: string, p: string, body?: unknown) {
      const res = await send(
        method as 'GET',
        `/_control${p}`,
        body === undefined ? undefined : JSON.stringify(body),
        body === undefined ? {} : { 'content-type': 'application/json' },
        agent,
      );
      return { status: res.status, json: (res.body ? JSON.parse(res.body) : undefined) as T };
    },
    async close() {
      await emu.close();
      await Promise.all(agents.map((a) => a.close()));
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
