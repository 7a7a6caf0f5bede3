import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A software WebAuthn authenticator for tests: it holds ES256 (P-256) credentials in memory and answers the
 * JSON options Cairn's server sends with the JSON responses a browser would post back, built byte by byte
 * as the WebAuthn Level 3 spec lays them out. Attestation is 'none', like Cairn asks for.
 */

/** Authenticator data flags (WebAuthn §6.1). */
const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagAttestedCredentialData = 0x40;

/** COSE key parameters (RFC 9052/9053) for an EC2 P-256 key used with ES256. */
const coseKty = 1;
const coseAlg = 3;
const coseCrv = -1;
const coseX = -2;
const coseY = -3;
const coseKtyEc2 = 2;
const coseAlgEs256 = -7;
const coseCrvP256 = 1;

interface Credential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signCount: number;
}

/** What a test may change in one ceremony, to play a broken or hostile client. */
export interface CeremonyOverrides {
  /** The origin written into clientDataJSON (a phishing site would differ from Cairn's). */
  origin?: string;
  /** Use this challenge instead of the one in the options. */
  challenge?: string;
  /** The RP ID whose hash goes into the authenticator data. */
  rpId?: string;
  /** Leave out the user-verified flag (an authenticator that did not check PIN or biometrics). */
  userVerified?: boolean;
  /** Answer with this credential (by id) instead of the first one the options allow. */
  credentialId?: string;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

/** The credential public key as a COSE_Key map, CBOR-encoded. */
function coseKeyOf(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('expected an EC public key');
  const key = new Map<number, CBORType>([
    [coseKty, coseKtyEc2],
    [coseAlg, coseAlgEs256],
    [coseCrv, coseCrvP256],
    [coseX, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
    [coseY, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
  ]);
  return encodeCBOR(key);
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** A software passkey provider, bound to the origin it believes it is talking to. */
export class SoftwareAuthenticator {
  private readonly credentials: Credential[] = [];

  constructor(readonly origin: string) {}

  /** The relying party id a browser would use for this origin. */
  get defaultRpId(): string {
    return new URL(this.origin).hostname;
  }

  /** Ids of the credentials this authenticator holds. */
  get credentialIds(): string[] {
    return this.credentials.map((credential) => credential.id);
  }

  /** Answers navigator.credentials.create(): a new ES256 credential with 'none' attestation. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    if (!options.pubKeyCredParams.some((param) => param.alg === coseAlgEs256)) {
      throw new Error('the relying party does not accept ES256');
    }
    // Like a real authenticator, refuse to make a second credential for an excluded one it holds.
    const excluded = new Set(options.excludeCredentials?.map((descriptor) => descriptor.id));
    if (this.credentials.some((credential) => excluded.has(credential.id))) {
      throw new Error('InvalidStateError: this authenticator already holds a credential for the account');
    }
    const rpId = options.rp.id ?? this.defaultRpId;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(16);
    const credential: Credential = {
      id: b64url(rawId),
      rpId,
      userHandle: options.user.id,
      privateKey,
      publicKey,
      signCount: 0,
    };
    const flags =
      flagUserPresent |
      (overrides.userVerified === false ? 0 : flagUserVerified) |
      flagAttestedCredentialData;
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? rpId),
      Buffer.from([flags]),
      uint32(credential.signCount),
      Buffer.alloc(16), // AAGUID: all zeros for a 'none' attestation.
      uint16(rawId.length),
      rawId,
      coseKeyOf(publicKey),
    ]);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORType>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(
          clientData(
            'webauthn.create',
            overrides.challenge ?? options.challenge,
            overrides.origin ?? this.origin,
          ),
        ),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /**
   * Answers navigator.credentials.get(): an assertion by the first allowed credential (or any credential of
   * the RP for a discoverable request), signing authData || SHA-256(clientDataJSON), counter incremented.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? this.defaultRpId;
    const allowed = new Set(options.allowCredentials?.map((descriptor) => descriptor.id) ?? []);
    const credential = this.credentials.find((candidate) =>
      overrides.credentialId
        ? candidate.id === overrides.credentialId
        : candidate.rpId === rpId && (allowed.size === 0 || allowed.has(candidate.id)),
    );
    if (!credential) throw new Error('NotAllowedError: no credential for this request');
    credential.signCount += 1;
    const flags = flagUserPresent | (overrides.userVerified === false ? 0 : flagUserVerified);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? credential.rpId),
      Buffer.from([flags]),
      uint32(credential.signCount),
    ]);
    const clientDataJSON = clientData(
      'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    // Node signs ECDSA in DER (ASN.1 SEQUENCE of r and s) by default: exactly what WebAuthn carries.
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /**
   * A copy holding the same keys and counters, as if the credentials had been extracted and cloned: the two
   * then diverge, and the server must notice a counter that stops growing.
   */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(this.origin);
    for (const credential of this.credentials) copy.credentials.push({ ...credential });
    return copy;
  }
}
