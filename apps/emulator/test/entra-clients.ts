import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import type { Harness } from './emulator-harness';

/** msal-node's network module over undici, trusting the emulator's CA (msal's own client uses Node's store). */
export function networkTrusting(h: Harness): INetworkModule {
  const send = async <T>(method: 'GET' | 'POST', url: string, body?: string): Promise<NetworkResponse<T>> => {
    const res = await request(url, {
      method,
      dispatcher: h.agent,
      ...(body !== undefined
        ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' } }
        : {}),
    });
    const text = await res.body.text();
    return {
      headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
      body: (text ? JSON.parse(text) : {}) as T,
      status: res.statusCode,
    };
  };
  return {
    sendGetRequestAsync: (url) => send('GET', url),
    sendPostRequestAsync: (url, options) => send('POST', url, options?.body),
  };
}

/** msal-node as an ISV would configure it for the demo app: the demo certificate, the emulator as a known authority. */
export async function demoMsalApp(
  h: Harness,
  tenant = h.emu.entra.tenantId,
): Promise<ConfidentialClientApplication> {
  const certPem = await readFile(h.emu.demo.certPath, 'utf8');
  return new ConfidentialClientApplication({
    auth: {
      clientId: h.emu.entra.clientId,
      authority: `${h.emu.url}/${tenant}`,
      knownAuthorities: [new URL(h.emu.url).host],
      clientCertificate: {
        thumbprintSha256: createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex'),
        privateKey: await readFile(h.emu.demo.keyPath, 'utf8'),
      },
    },
    system: { networkClient: networkTrusting(h) },
  });
}

/** A fresh token of the demo app for the demo environment (msal's cache skipped: a control reset forgets tokens). */
export async function demoToken(h: Harness): Promise<string> {
  const result = await (
    await demoMsalApp(h)
  ).acquireTokenByClientCredential({
    scopes: [`${h.emu.entra.environmentUrl}/.default`],
    skipCache: true,
  });
  return result!.accessToken;
}
