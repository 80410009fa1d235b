import { normalizeThumbprint, type IssuedCertificate, type PkiStore } from '../pki/pki.store';
import { ControlInputError } from '../scenarios/scenario.engine';
import type { CertRegistration } from '../state/emulator-state.model';
import type { StateStore } from '../state/state.store';
import { bool, ControlNotFoundError, str } from './control-input';
import type { EmulatorControl } from './control-types';

/** The control of certificates: issuing them, revoking them, and the CRLs' freshness. */
export function pkiControl(
  store: StateStore,
  pki: PkiStore,
): Pick<EmulatorControl, 'issueCertificate' | 'revokeCertificate' | 'extendCrl'> {
  return {
    async issueCertificate(input) {
      const commonName = str(input.commonName, 'commonName', true);
      const account = str(input.account, 'account');
      if (account && !store.liveAccount(account)) {
        throw new ControlInputError(`No Live account '${account}'; add a user with that Live ID first`);
      }
      for (const key of ['clientAuth', 'signWithLeaf', 'selfSigned'] as const) bool(input[key], key);
      let issued: IssuedCertificate;
      try {
        issued = await pki.issue({ ...input, commonName });
      } catch (error) {
        if (error instanceof TypeError) throw new ControlInputError(error.message);
        throw error;
      }
      const registration: CertRegistration = {
        thumbprint: issued.thumbprintSha1Hex,
        serialHex: issued.serialHex,
        issuerCa: issued.issuerCa,
        commonName,
        notAfter: issued.notAfter,
      };
      if (account) registration.account = account.toLowerCase();
      store.certs.set(registration.thumbprint, registration);
      store.changed();
      return issued;
    },

    revokeCertificate(input) {
      const thumbprint = normalizeThumbprint(str(input.thumbprintSha1Hex, 'thumbprintSha1Hex', true));
      const cert = store.certs.get(thumbprint);
      if (!cert) throw new ControlNotFoundError(`No certificate with thumbprint ${thumbprint}`);
      cert.revokedAt ??= new Date().toISOString();
      store.crl.number += 1;
      store.changed();
      return cert;
    },

    extendCrl(input) {
      const seconds = input.seconds;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 315_360_000) {
        throw new ControlInputError('seconds must be a number (negative for an already stale CRL)');
      }
      store.crl.nextUpdate = Date.now() + seconds * 1000;
      store.crl.number += 1;
      store.changed();
      return { nextUpdate: new Date(store.crl.nextUpdate).toISOString() };
    },
  };
}
