import { DaveOpcode, proposalsAppend, proposalsRevoke, withTransition } from './daveFrames.js';
import type { ExternalSender, SignedProposal } from './ExternalSender.js';
import { refHash, verifyWithLabel } from './ExternalSender.js';
import { MlsDecodeError } from './mlsEncoding.js';
import {
  type CommitInfo,
  CREDENTIAL_BASIC,
  credentialIdentity,
  parseCommitWelcome,
  parseKeyPackage,
  SenderType,
  splitWelcome,
  welcomeFor,
} from './mlsMessages.js';

/**
 * One call's DAVE state on the voice gateway (docs/protocol.md › DAVE): which protocol version the call runs, the MLS
 * group as the delivery service sees it (group ID = channel ID, epoch, which member sits in which leaf), the proposals
 * of the current epoch, and the transition in progress. The gateway is the group's external sender: it proposes adding
 * a member's key package and removing a leaver, picks the first valid commit of each epoch, relays it (op 29) and the
 * welcome (op 30), and tells everyone when to switch keys (op 22). It never holds a group secret.
 */

/** What the group needs of a call member. */
export interface DaveParticipant {
  readonly userId: string;
  /** `max_dave_protocol_version` of its Identify (0 when it did not say). */
  readonly maxDaveVersion: number;
  sendJson(op: number, d: unknown): void;
  sendBinary(op: number, payload: Buffer): void;
}

export interface DaveGroupOptions {
  /** Whether version 1 may be used at all (false: every call runs version 0, transport encryption only). */
  enabled: boolean;
  /** How long a transition waits for op 23 from everyone before it is executed anyway, in ms. */
  transitionTimeout: number;
  sender: ExternalSender;
  /** Observes what the group does (tests, logs). */
  onEvent?: ((event: DaveEvent) => void) | undefined;
}

export type DaveEvent =
  | { type: 'session'; userId: string; version: number }
  | { type: 'version'; version: number; transitionId: number }
  | { type: 'commit'; epoch: number; transitionId: number; committer: string; added: string[]; removed: number }
  | { type: 'execute'; transitionId: number; version: number; epoch: number }
  | { type: 'reset'; reason: string }
  | { type: 'ignored'; userId: string; reason: string };

/** A member's handle on the group: what the gateway calls for its messages. */
export interface DaveMember {
  /** The version to put in this member's Session Description (op 4). */
  readonly version: number;
  /** Its Session Description went out: starts its DAVE exchange (op 25, in-flight proposals). */
  described(): void;
  /** A DAVE command from it; returns a reason when the bytes were malformed (the caller closes with 4002). */
  receive(op: number, d: unknown): string | null;
  /** It left the call. */
  leave(): void;
}

interface Peer {
  participant: DaveParticipant;
  capable: boolean;
  described: boolean;
  keyPackage: Buffer | null;
  /** Its leaf in the established group, or null while pending. */
  leaf: number | null;
}

interface Proposal {
  signed: SignedProposal;
  /** The peer to add, or the leaf to remove. */
  add: Peer | null;
  remove: number | null;
  /** Who it was sent to (a revocation goes to the same members). */
  sentTo: Peer[];
}

interface Transition {
  id: number;
  version: number;
  waiting: Set<Peer>;
  notify: Peer[];
  timer: NodeJS.Timeout;
}

/** A leaf whose member left (or reset): it stays in the tree until a commit applies its Remove. */
const GONE = 'gone';

export class DaveGroup {
  readonly #groupId: Buffer | null;
  readonly #options: DaveGroupOptions;
  readonly #peers = new Set<Peer>();
  #version = 0;
  #epoch = 0n;
  #leaves: (Peer | typeof GONE | null)[] = [];
  #proposals: Proposal[] = [];
  #transition: Transition | null = null;
  #nextTransitionId = 1;

  /** `channelId` must be a snowflake: it is the MLS group ID (as a big-endian uint64). Otherwise DAVE stays off. */
  public constructor(channelId: string, options: DaveGroupOptions) {
    this.#groupId = credentialIdentity(channelId);
    this.#options = options;
  }

  /** The call's protocol version (0: transport encryption only). */
  public get version(): number {
    return this.#version;
  }

  /** The established group's epoch (0 while there is no group). */
  public get epoch(): number {
    return Number(this.#epoch);
  }

  /** Members' user IDs by leaf (null for a blank or departed leaf). */
  public get leaves(): (string | null)[] {
    return this.#leaves.map((leaf) => (leaf && leaf !== GONE ? leaf.participant.userId : null));
  }

  public join(participant: DaveParticipant): DaveMember {
    // DAVE credentials are 64-bit user IDs: a member whose ID is not a snowflake cannot be in a group (version 0).
    const capable =
      this.#options.enabled &&
      this.#groupId !== null &&
      participant.maxDaveVersion >= 1 &&
      credentialIdentity(participant.userId) !== null;
    const peer: Peer = { participant, capable, described: false, keyPackage: null, leaf: null };
    const wasEmpty = this.#peers.size === 0;
    this.#peers.add(peer);
    if (wasEmpty) this.#version = capable ? 1 : 0;
    else if (!capable && this.#version === 1) this.#downgrade();
    const version = (): number => (peer.capable ? this.#version : 0);
    return {
      get version() {
        return version();
      },
      described: () => this.#described(peer),
      receive: (op, d) => this.#receive(peer, op, d),
      leave: () => this.#leave(peer),
    };
  }

  /** Stops the transition timer (the room closed). */
  public close(): void {
    if (this.#transition) clearTimeout(this.#transition.timer);
    this.#transition = null;
    this.#peers.clear();
  }

  #emit(event: DaveEvent): void {
    this.#options.onEvent?.(event);
  }

  #daveMembers(): Peer[] {
    return [...this.#peers].filter((p) => p.capable && p.described);
  }

  #groupMembers(): Peer[] {
    return [...this.#peers].filter((p) => p.leaf !== null);
  }

  #described(peer: Peer): void {
    if (peer.described) return;
    peer.described = true;
    this.#emit({ type: 'session', userId: peer.participant.userId, version: peer.capable ? this.#version : 0 });
    if (!peer.capable || this.#version !== 1) return;
    peer.participant.sendBinary(DaveOpcode.ExternalSender, this.#options.sender.serialized);
    // A client joining before the group exists gets the adds already proposed for the other pending members.
    if (this.#epoch === 0n) {
      const inFlight = this.#proposals.filter((p) => p.add && p.add !== peer);
      if (inFlight.length > 0) this.#send(inFlight, [peer]);
    }
  }

  #receive(peer: Peer, op: number, d: unknown): string | null {
    try {
      if (op === DaveOpcode.TransitionReady) this.#ready(peer, d as number);
      else if (op === DaveOpcode.InvalidCommitWelcome) this.#invalid(peer);
      else if (op === DaveOpcode.KeyPackage) return this.#keyPackage(peer, d as Buffer);
      else if (op === DaveOpcode.CommitWelcome) this.#commitWelcome(peer, d as Buffer);
      return null;
    } catch (error) {
      if (error instanceof MlsDecodeError) return error.message;
      throw error;
    }
  }

  /** Sends proposals (appends) to `to`, remembering who got them. */
  #send(proposals: Proposal[], to: Peer[]): void {
    if (proposals.length === 0) return;
    const payload = proposalsAppend(proposals.map((p) => p.signed.message));
    for (const peer of to) peer.participant.sendBinary(DaveOpcode.Proposals, payload);
    for (const p of proposals) for (const peer of to) if (!p.sentTo.includes(peer)) p.sentTo.push(peer);
  }

  #revoke(proposal: Proposal): void {
    this.#proposals = this.#proposals.filter((p) => p !== proposal);
    const payload = proposalsRevoke([proposal.signed.ref]);
    for (const peer of proposal.sentTo)
      if (this.#peers.has(peer)) peer.participant.sendBinary(DaveOpcode.Proposals, payload);
  }

  /** Proposes adding `peer`'s key package: to the group, or before it exists to every other pending member. */
  #proposeAdd(peer: Peer): void {
    const groupId = this.#groupId!;
    const signed = this.#options.sender.proposeAdd(groupId, this.#epoch, peer.keyPackage!);
    const proposal: Proposal = { signed, add: peer, remove: null, sentTo: [] };
    this.#proposals.push(proposal);
    const to =
      this.#epoch === 0n ? this.#daveMembers().filter((p) => p !== peer && p.leaf === null) : this.#groupMembers();
    this.#send([proposal], to);
  }

  #proposeRemove(leaf: number): void {
    const signed = this.#options.sender.proposeRemove(this.#groupId!, this.#epoch, leaf);
    const proposal: Proposal = { signed, add: null, remove: leaf, sentTo: [] };
    this.#proposals.push(proposal);
    this.#send([proposal], this.#groupMembers());
  }

  #keyPackage(peer: Peer, payload: Buffer): string | null {
    if (!peer.capable || !peer.described || this.#version !== 1) {
      this.#emit({ type: 'ignored', userId: peer.participant.userId, reason: 'key package outside DAVE' });
      return null;
    }
    const kp = parseKeyPackage(payload);
    const identity = credentialIdentity(peer.participant.userId);
    if (kp.leaf.credentialType !== CREDENTIAL_BASIC || !identity || !kp.leaf.identity.equals(identity))
      return 'key package credential is not the user';
    if (!verifyWithLabel(kp.leaf.signatureKey, 'KeyPackageTBS', kp.tbs, kp.signature))
      return 'key package signature invalid';
    // A member already in the group sending a key package has reset (e.g. after an invalid commit): out, then in.
    if (peer.leaf !== null) this.#dropLeaf(peer);
    const previous = this.#proposals.find((p) => p.add === peer);
    if (previous) this.#revoke(previous);
    peer.keyPackage = kp.bytes;
    this.#proposeAdd(peer);
    return null;
  }

  /** Takes `peer` out of its leaf: the leaf is proposed for removal (and stays until a commit removes it). */
  #dropLeaf(peer: Peer): void {
    const leaf = peer.leaf!;
    peer.leaf = null;
    this.#leaves[leaf] = GONE;
    if (this.#transition?.waiting.delete(peer) && this.#transition.waiting.size === 0) this.#execute();
    if (!this.#resetIfAlone()) this.#proposeRemove(leaf);
  }

  #expected(committer: Peer): Proposal[] {
    return this.#epoch === 0n ? this.#proposals.filter((p) => p.add && p.add !== committer) : this.#proposals;
  }

  /** Why `commit` from `peer` cannot be the epoch's commit, or the proposals it applies, in its order. */
  #check(peer: Peer, commit: CommitInfo, welcome: Buffer | null): string | Proposal[] {
    if (!commit.groupId.equals(this.#groupId!)) return 'wrong group';
    if (commit.epoch !== this.#epoch) return `commit for epoch ${commit.epoch}, group is at ${this.#epoch}`;
    if (commit.senderType !== SenderType.Member) return 'commit not from a member';
    if (commit.inlineProposals > 0) return 'commit carries proposals by value';
    const established = this.#epoch > 0n;
    if (established ? peer.leaf !== commit.senderIndex : peer.leaf !== null || commit.senderIndex !== 0)
      return 'commit sender is not the member that sent it';
    const expected = this.#expected(peer);
    if (expected.length === 0 || commit.refs.length !== expected.length) return 'commit does not cover the proposals';
    const used: Proposal[] = [];
    for (const ref of commit.refs) {
      const proposal = expected.find((p) => p.signed.ref.equals(ref));
      if (!proposal || used.includes(proposal)) return 'commit references an unknown proposal';
      used.push(proposal);
    }
    if (used.some((p) => p.add) && !welcome) return 'commit adds members without a welcome';
    const identity = credentialIdentity(peer.participant.userId)!;
    if (commit.pathLeaf && !commit.pathLeaf.identity.equals(identity)) return 'commit changes its credential';
    return used;
  }

  #commitWelcome(peer: Peer, payload: Buffer): void {
    const { commit, welcome } = parseCommitWelcome(payload);
    if (this.#version !== 1 || !peer.capable) return;
    const used = this.#check(peer, commit, welcome);
    if (typeof used === 'string') {
      // Losing commits of a race are normal (only the first of an epoch wins): not an error, only noted.
      this.#emit({ type: 'ignored', userId: peer.participant.userId, reason: used });
      return;
    }
    if (this.#transition) this.#execute();
    const before = this.#epoch === 0n ? [peer] : this.#groupMembers();
    if (this.#epoch === 0n) {
      this.#leaves = [peer];
      peer.leaf = 0;
    }
    // RFC 9420 §12.3: removes first, then adds in the commit's order, each into the leftmost blank leaf.
    let removed = 0;
    for (const p of used) {
      if (p.remove === null) continue;
      const occupant = this.#leaves[p.remove];
      if (occupant && occupant !== GONE) occupant.leaf = null;
      this.#leaves[p.remove] = null;
      removed++;
    }
    const added: Peer[] = [];
    // Each added member gets the Welcome with only its own secrets, found by its key package's reference.
    const welcomes = new Map<Peer, Buffer>();
    const parts = welcome ? splitWelcome(welcome) : null;
    for (const p of used) {
      const peerToAdd = p.add;
      if (!peerToAdd) continue;
      let index = this.#leaves.indexOf(null);
      if (index < 0) index = this.#leaves.push(null) - 1;
      this.#leaves[index] = peerToAdd;
      peerToAdd.leaf = index;
      const ref = refHash('MLS 1.0 KeyPackage Reference', peerToAdd.keyPackage!);
      const entry = parts?.secrets.find((s) => s.ref.equals(ref));
      welcomes.set(peerToAdd, parts && entry ? welcomeFor(parts, entry.entry) : (welcome ?? Buffer.alloc(0)));
      peerToAdd.keyPackage = null;
      added.push(peerToAdd);
    }
    while (this.#leaves.length > 0 && this.#leaves[this.#leaves.length - 1] === null) this.#leaves.pop();
    this.#epoch++;
    this.#proposals = [];
    const id = this.#newTransitionId();
    const announce = withTransition(id, commit.message);
    for (const member of before)
      if (this.#peers.has(member)) member.participant.sendBinary(DaveOpcode.AnnounceCommitTransition, announce);
    for (const member of added)
      member.participant.sendBinary(DaveOpcode.Welcome, withTransition(id, welcomes.get(member)!));
    this.#emit({
      type: 'commit',
      epoch: Number(this.#epoch),
      transitionId: id,
      committer: peer.participant.userId,
      added: added.map((p) => p.participant.userId),
      removed,
    });
    this.#startTransition(id, 1, this.#groupMembers());
    // What this commit did not cover is proposed again in the new epoch: members still waiting to get in, and leaves
    // whose member went away meanwhile.
    for (const [leaf, occupant] of this.#leaves.entries()) if (occupant === GONE) this.#proposeRemove(leaf);
    for (const p of this.#peers) if (p.keyPackage && p.leaf === null) this.#proposeAdd(p);
  }

  #newTransitionId(): number {
    const id = this.#nextTransitionId;
    this.#nextTransitionId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  #startTransition(id: number, version: number, members: Peer[]): void {
    if (members.length === 0) return;
    const timer = setTimeout(() => this.#execute(), this.#options.transitionTimeout);
    timer.unref();
    this.#transition = { id, version, waiting: new Set(members), notify: members, timer };
  }

  #ready(peer: Peer, transitionId: number): void {
    const transition = this.#transition;
    if (!transition || transition.id !== transitionId) return;
    transition.waiting.delete(peer);
    if (transition.waiting.size === 0) this.#execute();
  }

  #execute(): void {
    const transition = this.#transition;
    if (!transition) return;
    this.#transition = null;
    clearTimeout(transition.timer);
    for (const peer of transition.notify)
      if (this.#peers.has(peer))
        peer.participant.sendJson(DaveOpcode.ExecuteTransition, { transition_id: transition.id });
    this.#emit({ type: 'execute', transitionId: transition.id, version: transition.version, epoch: this.epoch });
  }

  /** Op 31: the member could not process a commit or welcome; it goes back to pending and sends a new key package. */
  #invalid(peer: Peer): void {
    if (this.#version !== 1 || !peer.capable) return;
    const pendingAdd = this.#proposals.find((p) => p.add === peer);
    if (pendingAdd) this.#revoke(pendingAdd);
    peer.keyPackage = null;
    if (peer.leaf !== null) this.#dropLeaf(peer);
  }

  #leave(peer: Peer): void {
    if (!this.#peers.delete(peer)) return;
    if (this.#transition?.waiting.delete(peer) && this.#transition.waiting.size === 0) this.#execute();
    if (this.#peers.size === 0) {
      this.close();
      return;
    }
    const pendingAdd = this.#proposals.find((p) => p.add === peer);
    if (pendingAdd) this.#revoke(pendingAdd);
    // The last member without DAVE left: the call goes (back) to version 1 with a new group.
    if (this.#version === 0 && this.#options.enabled && [...this.#peers].every((p) => p.capable)) {
      this.#upgrade();
      return;
    }
    if (peer.leaf !== null) this.#dropLeaf(peer);
  }

  /**
   * With at most one member left in an established group, the group is dropped (sole member reset, docs/protocol.md ›
   * DAVE): the one left is told to start a new group (op 24 epoch 1, op 21 transition 0) and the next member that
   * joins creates it with it. Returns whether it reset.
   */
  #resetIfAlone(): boolean {
    if (this.#epoch === 0n || this.#version !== 1) return false;
    const members = this.#groupMembers();
    if (members.length > 1) return false;
    this.#emit({ type: 'reset', reason: members.length === 1 ? 'sole member' : 'group empty' });
    this.#newGroup();
    for (const member of members) {
      member.participant.sendJson(DaveOpcode.PrepareEpoch, { protocol_version: 1, epoch: 1 });
      member.participant.sendBinary(DaveOpcode.ExternalSender, this.#options.sender.serialized);
      member.participant.sendJson(DaveOpcode.PrepareTransition, { protocol_version: 1, transition_id: 0 });
    }
    // Members that were waiting to be added are proposed again, to everyone pending, in the new group's epoch 0.
    for (const p of this.#peers) if (p.keyPackage) this.#proposeAdd(p);
    return true;
  }

  #newGroup(): void {
    if (this.#transition) clearTimeout(this.#transition.timer);
    this.#transition = null;
    this.#epoch = 0n;
    this.#leaves = [];
    this.#proposals = [];
    for (const peer of this.#peers) {
      if (peer.leaf !== null) peer.keyPackage = null;
      peer.leaf = null;
    }
  }

  /** A member without DAVE joined: everyone goes to version 0 (transport encryption only) after op 21/23/22. */
  #downgrade(): void {
    const members = this.#daveMembers();
    this.#newGroup();
    for (const peer of this.#peers) peer.keyPackage = null;
    this.#version = 0;
    const id = this.#newTransitionId();
    this.#emit({ type: 'version', version: 0, transitionId: id });
    for (const peer of members)
      peer.participant.sendJson(DaveOpcode.PrepareTransition, { protocol_version: 0, transition_id: id });
    this.#startTransition(id, 0, members);
  }

  /** Everyone supports DAVE again: a new group is created (op 24 epoch 1); its first commit's transition upgrades. */
  #upgrade(): void {
    this.#newGroup();
    for (const peer of this.#peers) peer.keyPackage = null;
    this.#version = 1;
    this.#emit({ type: 'version', version: 1, transitionId: 0 });
    for (const peer of this.#daveMembers()) {
      peer.participant.sendJson(DaveOpcode.PrepareEpoch, { protocol_version: 1, epoch: 1 });
      peer.participant.sendBinary(DaveOpcode.ExternalSender, this.#options.sender.serialized);
    }
  }
}
