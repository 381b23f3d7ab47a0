import { encodeVector, MlsDecodeError, TlsReader, u16 } from './mlsEncoding.js';

/**
 * The few MLS structures the voice gateway reads (RFC 9420): key packages (to check the credential before proposing to
 * add it), commits (to pick one per epoch and check it references exactly the proposals the gateway sent) and welcomes
 * (only delimited and relayed). Everything else in them is skipped structurally; the gateway is not a group member and
 * never sees the group's secrets.
 */

export const MLS_VERSION_10 = 1;
/** DHKEMP256_AES128GCM_SHA256_P256, the only ciphersuite of DAVE protocol version 1 (docs/protocol.md › DAVE). */
export const DAVE_CIPHERSUITE = 2;

export const WireFormat = { PublicMessage: 1, PrivateMessage: 2, Welcome: 3, GroupInfo: 4, KeyPackage: 5 } as const;
export const SenderType = { Member: 1, External: 2, NewMemberProposal: 3, NewMemberCommit: 4 } as const;
export const ContentType = { Application: 1, Proposal: 2, Commit: 3 } as const;
export const ProposalType = { Add: 1, Update: 2, Remove: 3 } as const;
export const CREDENTIAL_BASIC = 1;
const LEAF_SOURCE_KEY_PACKAGE = 1;
const LEAF_SOURCE_UPDATE = 2;
const LEAF_SOURCE_COMMIT = 3;
const PROPOSAL_OR_REF_PROPOSAL = 1;
const PROPOSAL_OR_REF_REFERENCE = 2;

/** What the gateway needs of a leaf node: who it claims to be. */
export interface LeafNodeInfo {
  credentialType: number;
  identity: Buffer;
  signatureKey: Buffer;
}

function skipLeafNode(r: TlsReader): LeafNodeInfo {
  r.vector(); // encryption_key
  const signatureKey = r.vector();
  const credentialType = r.u16();
  // basic: identity<V>; x509: certificates<V>. Either is one vector; only basic is allowed (checked by the caller).
  const identity = r.vector();
  // capabilities: versions, cipher_suites, extensions, proposals, credentials
  for (let i = 0; i < 5; i++) r.vector();
  const source = r.u8();
  if (source === LEAF_SOURCE_KEY_PACKAGE) {
    r.u64();
    r.u64();
  } else if (source === LEAF_SOURCE_COMMIT) r.vector();
  else if (source !== LEAF_SOURCE_UPDATE) throw new MlsDecodeError('bad leaf node source');
  r.vector(); // extensions
  r.vector(); // signature
  return { credentialType, identity, signatureKey };
}

/** A client's key package: the bare KeyPackage bytes (what an Add proposal carries) and its leaf's credential. */
export interface KeyPackageInfo {
  /** The KeyPackage structure itself (without an MLSMessage header). */
  bytes: Buffer;
  leaf: LeafNodeInfo;
  /** Everything the key package signature covers (KeyPackageTBS), and that signature. */
  tbs: Buffer;
  signature: Buffer;
}

/**
 * Parses a key package as clients send it in op 26. The DAVE spec says MLSMessage, but libdave (and the libraries
 * built like it) send the bare KeyPackage: both are accepted, told apart by the second uint16 (the MLSMessage wire
 * format 5 vs the KeyPackage ciphersuite 2).
 */
export function parseKeyPackage(input: Buffer): KeyPackageInfo {
  let start = 0;
  if (input.length >= 4 && input.readUInt16BE(0) === MLS_VERSION_10 && input.readUInt16BE(2) === WireFormat.KeyPackage)
    start = 4;
  const r = new TlsReader(input, start);
  if (r.u16() !== MLS_VERSION_10) throw new MlsDecodeError('key package: unsupported MLS version');
  if (r.u16() !== DAVE_CIPHERSUITE) throw new MlsDecodeError('key package: unexpected ciphersuite');
  r.vector(); // init_key
  const leaf = skipLeafNode(r);
  r.vector(); // extensions
  const tbs = r.since(start);
  const signature = r.vector();
  r.end();
  return { bytes: input.subarray(start), leaf, tbs, signature };
}

/** A commit as a member sent it (op 28), with what the gateway checks before relaying it. */
export interface CommitInfo {
  /** The whole MLSMessage, relayed as is in op 29. */
  message: Buffer;
  groupId: Buffer;
  epoch: bigint;
  senderType: number;
  senderIndex: number;
  /** Proposal references, in the commit's order. */
  refs: Buffer[];
  /** Proposals the commit carries by value (DAVE allows none). */
  inlineProposals: number;
  /** The leaf node of the commit's update path, if it has one. */
  pathLeaf: LeafNodeInfo | null;
}

function skipProposal(r: TlsReader): void {
  const type = r.u16();
  if (type === ProposalType.Add) {
    r.u16();
    r.u16();
    r.vector();
    skipLeafNode(r);
    r.vector();
    r.vector();
  } else if (type === ProposalType.Remove) r.u32();
  else if (type === ProposalType.Update) skipLeafNode(r);
  // Other proposal types are not allowed in DAVE and their layouts are not needed to refuse them.
  else throw new MlsDecodeError('unsupported proposal type');
}

/** Reads one MLSMessage carrying a PublicMessage commit from `r` (the rest of the reader may hold a Welcome). */
export function readCommit(r: TlsReader, input: Buffer): CommitInfo {
  const start = r.offset;
  if (r.u16() !== MLS_VERSION_10) throw new MlsDecodeError('commit: unsupported MLS version');
  if (r.u16() !== WireFormat.PublicMessage) throw new MlsDecodeError('commit: not a public message');
  const groupId = r.vector();
  const epoch = r.u64();
  const senderType = r.u8();
  let senderIndex = -1;
  if (senderType === SenderType.Member || senderType === SenderType.External) senderIndex = r.u32();
  else if (senderType !== SenderType.NewMemberCommit && senderType !== SenderType.NewMemberProposal)
    throw new MlsDecodeError('commit: bad sender type');
  r.vector(); // authenticated_data
  if (r.u8() !== ContentType.Commit) throw new MlsDecodeError('not a commit');
  const refs: Buffer[] = [];
  let inlineProposals = 0;
  r.vectorOf((p) => {
    const kind = p.u8();
    if (kind === PROPOSAL_OR_REF_REFERENCE) refs.push(p.vector());
    else if (kind === PROPOSAL_OR_REF_PROPOSAL) {
      inlineProposals++;
      skipProposal(p);
    } else throw new MlsDecodeError('commit: bad proposal-or-ref');
  });
  let pathLeaf: LeafNodeInfo | null = null;
  const hasPath = r.u8();
  if (hasPath === 1) {
    pathLeaf = skipLeafNode(r);
    r.vector(); // nodes
  } else if (hasPath !== 0) throw new MlsDecodeError('commit: bad optional');
  r.vector(); // signature
  r.vector(); // confirmation_tag
  if (senderType === SenderType.Member) r.vector(); // membership_tag
  return {
    message: input.subarray(start, r.offset),
    groupId,
    epoch,
    senderType,
    senderIndex,
    refs,
    inlineProposals,
    pathLeaf,
  };
}

/** Reads a Welcome (RFC 9420 §12.4.3.1) to its end: ciphersuite, encrypted secrets, encrypted group info. */
export function readWelcome(r: TlsReader, input: Buffer): Buffer {
  const start = r.offset;
  if (r.u16() !== DAVE_CIPHERSUITE) throw new MlsDecodeError('welcome: unexpected ciphersuite');
  let secrets = 0;
  r.vectorOf((s) => {
    s.vector(); // new_member (KeyPackageRef)
    s.vector(); // kem_output
    s.vector(); // ciphertext
    secrets++;
  });
  if (secrets === 0) throw new MlsDecodeError('welcome: no secrets');
  r.vector(); // encrypted_group_info
  return input.subarray(start, r.offset);
}

/** A Welcome's parts: one encrypted-secrets entry per added member (by KeyPackageRef), the encrypted group info. */
export interface WelcomeParts {
  secrets: { ref: Buffer; entry: Buffer }[];
  encryptedGroupInfo: Buffer;
}

/** Splits a Welcome (already delimited by `readWelcome`) into its per-member entries. */
export function splitWelcome(welcome: Buffer): WelcomeParts {
  const r = new TlsReader(welcome);
  r.u16();
  const secrets: { ref: Buffer; entry: Buffer }[] = [];
  r.vectorOf((s) => {
    const start = s.offset;
    const ref = s.vector();
    s.vector();
    s.vector();
    secrets.push({ ref, entry: s.since(start) });
  });
  const encryptedGroupInfo = r.vector();
  r.end();
  return { secrets, encryptedGroupInfo };
}

/** A Welcome holding only `entry`'s secrets: what op 30 gives each added member (docs/protocol.md › DAVE). */
export function welcomeFor(parts: WelcomeParts, entry: Buffer): Buffer {
  return Buffer.concat([u16(DAVE_CIPHERSUITE), encodeVector(entry), encodeVector(parts.encryptedGroupInfo)]);
}

/** Op 28's payload: a commit, then a Welcome when the commit adds members. */
export function parseCommitWelcome(input: Buffer): { commit: CommitInfo; welcome: Buffer | null } {
  const r = new TlsReader(input);
  const commit = readCommit(r, input);
  const welcome = r.remaining > 0 ? readWelcome(r, input) : null;
  r.end();
  return { commit, welcome };
}

/** The big-endian 64-bit user ID a DAVE basic credential holds (null when `userId` is not a snowflake). */
export function credentialIdentity(userId: string): Buffer | null {
  if (!/^\d{1,20}$/.test(userId)) return null;
  const value = BigInt(userId);
  if (value >= 2n ** 64n) return null;
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
}
