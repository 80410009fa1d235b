import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { inject } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index';

/** Where the shared fixtures live (the repo's sibling `shared` folder unless overridden). */
export const SHARED_DIR = process.env['ONBEHALF_SHARED_DIR'] ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared');
export const FIXTURES = path.join(SHARED_DIR, 'fixtures');

/** Reads a shared fixture as text. */
export function fixture(name: string): Promise<string> {
  return readFile(path.join(FIXTURES, name), 'utf8');
}

/** A started emulator with an HTTPS client that trusts its CA. */
export interface Harness {
  emu: RunningEmulator;
  dataDir: string;
  agent: Agent;
  /** A client presenting a client certificate (PEM key and certificate chain). */
  clientWith(cert: { certPem: string; keyPem: string; chainPem?: string }): Agent;
  post(path: string, body: string, headers?: Record<string, string>, agent?: Agent): Promise<HttpResult>;
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
    body: string | undefined,
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
