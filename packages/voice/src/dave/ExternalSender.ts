import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { encodeVector, u8, u16, u32, u64 } from './mlsEncoding.js';
import { ContentType, MLS_VERSION_10, ProposalType, SenderType, WireFormat } from './mlsMessages.js';

/**
 * The voice gateway as the MLS group's external sender (RFC 9420 §12.1.8.1): a P-256 signature key (ciphersuite 2
 * signs with ECDSA P-256/SHA-256) and a basic credential. It signs the Add and Remove proposals the gateway makes for
 * members joining and leaving. It never sees a group secret: proposals are public messages, signed, not encrypted.
 */

/** An external proposal as sent in op 27, and its reference (what commits and revocations name it by). */
export interface SignedProposal {
  /** The MLSMessage (PublicMessage) bytes. */
  message: Buffer;
  /** RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent). */
  ref: Buffer;
}

/** The credential identity of the gateway's external sender (any bytes do; clients compare it with op 25's). */
const GATEWAY_IDENTITY = Buffer.from('concord-voice-gateway');

function signContent(label: string, content: Buffer): Buffer {
  return Buffer.concat([encodeVector(Buffer.from(`MLS 1.0 ${label}`)), encodeVector(content)]);
}

/** RFC 9420 §5.2 RefHash with SHA-256 (the hash of ciphersuite 2). */
export function refHash(label: string, value: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([encodeVector(Buffer.from(label)), encodeVector(value)]))
    .digest();
}

/** The SEC1 uncompressed point (0x04 ‖ X ‖ Y) of a P-256 public key: MLS's SignaturePublicKey for ciphersuite 2. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

/**
 * VerifyWithLabel (RFC 9420 §5.1.2) for a P-256 SignaturePublicKey; false (never a throw) for a key or signature that
 * does not even parse.
 */
export function verifyWithLabel(publicKey: Buffer, label: string, content: Buffer, signature: Buffer): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 4) return false;
  try {
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: publicKey.subarray(1, 33).toString('base64url'),
        y: publicKey.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    return verify('sha256', signContent(label, content), { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export class ExternalSender {
  readonly #privateKey: KeyObject;
  /** SignaturePublicKey bytes. */
  public readonly publicKey: Buffer;
  /** The serialized ExternalSender struct: op 25's payload. */
  public readonly serialized: Buffer;

  public constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.publicKey = rawPublicKey(publicKey);
    // ExternalSender { SignaturePublicKey signature_key; Credential credential { uint16 type = basic; identity<V> } }
    this.serialized = Buffer.concat([encodeVector(this.publicKey), u16(1), encodeVector(GATEWAY_IDENTITY)]);
  }

  /** An Add proposal for `keyPackage` (the bare KeyPackage bytes) in the group's `epoch`. */
  public proposeAdd(groupId: Buffer, epoch: bigint, keyPackage: Buffer): SignedProposal {
    return this.#propose(groupId, epoch, Buffer.concat([u16(ProposalType.Add), keyPackage]));
  }

  /** A Remove proposal for the member at `leafIndex`. */
  public proposeRemove(groupId: Buffer, epoch: bigint, leafIndex: number): SignedProposal {
    return this.#propose(groupId, epoch, Buffer.concat([u16(ProposalType.Remove), u32(leafIndex)]));
  }

  #propose(groupId: Buffer, epoch: bigint, proposal: Buffer): SignedProposal {
    // FramedContent: group_id, epoch, sender {external, sender_index 0: the only external sender}, authenticated_data,
    // content_type proposal, the proposal.
    const content = Buffer.concat([
      encodeVector(groupId),
      u64(epoch),
      u8(SenderType.External),
      u32(0),
      encodeVector(Buffer.alloc(0)),
      u8(ContentType.Proposal),
      proposal,
    ]);
    const wireFormat = u16(WireFormat.PublicMessage);
    // FramedContentTBS of an external sender has no group context: version, wire format, content.
    const tbs = Buffer.concat([u16(MLS_VERSION_10), wireFormat, content]);
    const signature = sign('sha256', signContent('FramedContentTBS', tbs), {
      key: this.#privateKey,
      dsaEncoding: 'der',
    });
    const auth = encodeVector(signature);
    // No membership tag: the sender is not a member.
    const message = Buffer.concat([u16(MLS_VERSION_10), wireFormat, content, auth]);
    const ref = refHash('MLS 1.0 Proposal Reference', Buffer.concat([wireFormat, content, auth]));
    return { message, ref };
  }
}
