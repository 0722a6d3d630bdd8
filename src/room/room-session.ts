/**
 * One tab's membership in a room: wires the transport (PeerJS), the pure election, the shared
 * timeline and the wire protocol together, and publishes read-only snapshots. It owns timers
 * and the transport: call `dispose()` when done.
 */
import type { Election } from '../sync/election.js';
import { roomPeerIds } from '../sync/peer-ids.js';
import { encodeMessage, type MemberRole, type RoomMessage } from '../sync/protocol.js';
import { SharedTimeline } from '../sync/shared-timeline.js';
import type { Milliseconds } from '../sync/units.js';
import { Lane, SignalingState, type RoomTransport } from '../shell/room-transport.js';
import { MemberRegistry } from './member-registry.js';
import { buildRoomSnapshot, clockReportOf, type RoomSnapshot } from './room-snapshot.js';
import { ExtensionSet } from './extension-set.js';
import { ClockLink, type RawClockSample } from './clock-link.js';
import { MeshKeeper } from './mesh-keeper.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';
import { RoomLeadership } from './room-leadership.js';
import { MessageIntake } from './message-intake.js';
import { RoomUpkeep } from './room-upkeep.js';

export interface RoomSessionOptions {
  roomId: string;
  name: string;
  role: MemberRole;
  transport: RoomTransport;
  /** This tab's local clock, ms (performance.now, possibly offset/skewed for diagnostics). */
  now: () => Milliseconds;
  /** How often to broadcast heartbeats, ms. */
  heartbeatIntervalMs?: Milliseconds;
  /** Silence after which a peer counts as gone, ms. */
  peerTimeoutMs?: Milliseconds;
  /** How often to ask signaling who is in the room, ms. */
  discoveryIntervalMs?: Milliseconds;
}

const TICK_MS = 100;
/** How often to ask signaling who is in the room: a joiner waits for this before peers dial it. */
const DISCOVERY_INTERVAL_MS = 1000;

/** Events: `change` whenever the snapshot may differ. */
export class RoomSession extends EventTarget implements RoomLinks {
  readonly timeline: SharedTimeline;
  private readonly leadership: RoomLeadership;
  private readonly registry = new MemberRegistry();
  private readonly clockLink: ClockLink;
  private readonly mesh: MeshKeeper;
  private readonly transport: RoomTransport;
  private name: string;
  private signaling: SignalingState = SignalingState.connecting;
  private readonly intake = new MessageIntake();
  private readonly upkeep: RoomUpkeep;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private disposed = false;
  private readonly extensions = new ExtensionSet();

  constructor(private readonly options: RoomSessionOptions) {
    super();
    this.transport = options.transport;
    this.name = options.name;
    this.timeline = new SharedTimeline(options.now);
    this.mesh = new MeshKeeper(this.transport.selfId, this.transport, (peerId) => {
      this.registry.remove(peerId);
      this.changed();
    });
    // Clock probes and replies take the timely lane, not the queue behind a track's chunks (timing-lane.ts).
    this.clockLink = new ClockLink(this.timeline, (to, message) => this.sendTo(to, message, Lane.timely), options.now);
    this.leadership = new RoomLeadership(this.transport.selfId, options.peerTimeoutMs ?? 1200, this.clockLink);
    this.upkeep = new RoomUpkeep(
      {
        heartbeat: () => ({ type: 'heartbeat', ...this.election.heartbeat() }),
        status: () => this.statusMessage(),
        broadcast: (message) => this.broadcast(message),
        sendTo: (peerId, message) => this.sendTo(peerId, message),
      },
      options.heartbeatIntervalMs,
    );
    this.transport.setListener({
      linkOpen: (peerId) => this.onLinkOpen(peerId),
      linkClose: (peerId) => this.onLinkClose(peerId),
      data: (peerId, data) => this.onData(peerId, data),
      signaling: (state) => {
        const previous = this.signaling;
        this.signaling = state;
        // Signaling answered after running alone: join as a newcomer and look for the room at once.
        if (state === SignalingState.open && previous === SignalingState.unreachable && this.timers.length > 0) {
          this.rejoinAsNewcomer();
          void this.discover();
        }
        this.changed();
      },
    });
  }

  private get election(): Election {
    return this.leadership.election;
  }

  get selfId(): string {
    return this.transport.selfId;
  }

  /** The signaling connection's state (`unreachable`: running as a room of one, retrying). */
  get signalingState(): SignalingState {
    return this.signaling;
  }

  get leaderId(): string | null {
    return this.election.leaderId;
  }

  get term(): number {
    return this.election.term;
  }

  /** Add a feature riding on the room's links; returns its removal. */
  addExtension(extension: RoomExtension): () => void {
    return this.extensions.add(extension);
  }

  connectedPeers(): string[] {
    const alive = new Set(this.election.alivePeers());
    return this.registry.ids().filter((id) => alive.has(id) && this.transport.hasLink(id));
  }

  send(peerId: string, message: RoomMessage): boolean {
    return this.transport.send(peerId, encodeMessage(message));
  }

  sendBinary(peerId: string, data: ArrayBuffer): boolean {
    return this.transport.send(peerId, data);
  }

  bufferedBytes(peerId: string): number {
    return this.transport.bufferedBytes(peerId);
  }

  /**
   * Register with signaling, then discover and join the room. Resolves as soon as the transport's
   * `start()` does (a RetryingTransport resolves unreachable: the session then leads itself).
   */
  async start(): Promise<void> {
    await this.transport.start();
    if (this.disposed) return;
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => void this.discover(), this.options.discoveryIntervalMs ?? DISCOVERY_INTERVAL_MS));
    await this.discover();
  }

  /** Rename this speaker; peers learn it with the next status. */
  setName(name: string): void {
    this.name = name;
    this.upkeep.statusChanged();
    this.changed();
  }

  /** Tell peers we are leaving (page hide), so they fail over at once. */
  sayGoodbye(): void {
    this.broadcast({ type: 'bye' });
  }

  /** Test hook: send arbitrary bytes to every peer, bypassing the codec. */
  sendRaw(data: string | ArrayBuffer): number {
    let sent = 0;
    for (const peerId of this.election.alivePeers()) if (this.transport.send(peerId, data)) sent++;
    return sent;
  }

  /** Diagnostics: the latest raw clock samples against the leader. */
  clockSamples(): RawClockSample[] {
    return [...this.clockLink.recentSamples];
  }

  snapshot(): RoomSnapshot {
    const leaderId = this.election.leaderId;
    return buildRoomSnapshot({
      roomId: this.options.roomId,
      selfId: this.selfId,
      name: this.name,
      role: this.options.role,
      leaderId,
      term: this.election.term,
      signaling: this.signaling,
      peers: this.registry.views(leaderId, new Set(this.election.alivePeers())),
      clock: this.timeline.state(),
      dropped: this.intake.dropped,
      leaderChanges: this.leadership.changes(),
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.clockLink.dispose();
    this.transport.dispose();
  }

  private tick(): void {
    const nowMs = this.options.now();
    this.election.tick(nowMs);
    this.syncLeadership();
    this.notify((e) => e.tick?.(nowMs));
    if (this.upkeep.tick(nowMs)) this.changed();
  }

  private async discover(): Promise<void> {
    let listing: unknown[];
    try {
      listing = await this.transport.listPeers();
    } catch {
      return;
    }
    if (this.disposed) return;
    const ids = roomPeerIds(listing, this.options.roomId);
    this.election.discovered(ids, this.options.now());
    this.mesh.reconcile(ids, { alive: new Set(this.election.alivePeers()), known: this.registry.ids() });
  }

  private onLinkOpen(peerId: string): void {
    const nowMs = this.options.now();
    this.mesh.linked(peerId);
    this.registry.get(peerId);
    this.election.peerUp(peerId, nowMs);
    this.upkeep.greet(peerId, nowMs);
    this.syncLeadership();
    this.notify((e) => e.peerUp?.(peerId));
    this.changed();
  }

  private onLinkClose(peerId: string): void {
    this.election.peerDown(peerId, this.options.now());
    this.registry.remove(peerId);
    this.syncLeadership();
    this.notify((e) => e.peerDown?.(peerId));
    this.changed();
  }

  private onData(peerId: string, data: unknown): void {
    const arrivalShared = this.timeline.role === 'authority' ? this.timeline.stamp() : NaN;
    if (data instanceof ArrayBuffer) {
      this.election.heard(peerId, this.options.now());
      this.notify((e) => e.binary?.(peerId, data));
      return;
    }
    const message = this.intake.accept(peerId, data);
    if (message === null) return;
    const nowMs = this.options.now();
    this.election.heard(peerId, nowMs);
    this.handle(peerId, message, nowMs, arrivalShared);
  }

  private handle(peerId: string, message: RoomMessage, nowMs: Milliseconds, arrivalShared: Milliseconds): void {
    switch (message.type) {
      case 'heartbeat':
        this.election.onHeartbeat(peerId, message, nowMs);
        this.syncLeadership();
        return;
      case 'status':
        this.registry.applyStatus(peerId, message);
        return;
      case 'bye':
        this.election.peerDown(peerId, nowMs);
        this.registry.remove(peerId);
        this.transport.hangUp(peerId);
        this.syncLeadership();
        this.notify((e) => e.peerDown?.(peerId));
        this.changed();
        return;
      case 'ping':
        this.sendTo(peerId, { type: 'pong', seq: message.seq, sentMs: message.sentMs });
        return;
      case 'pong':
        this.registry.addRtt(peerId, nowMs - message.sentMs);
        return;
      case 'clock-ping':
        this.clockLink.answer(peerId, message, arrivalShared);
        return;
      case 'clock-pong':
        this.clockLink.receive(peerId, message);
        return;
      default:
        this.notify((e) => e.message?.(peerId, message));
    }
  }

  /**
   * A tab that led a room of one while signaling was unreachable meets the room as a fresh joiner
   * (join grace, follows a leader it hears) instead of as a rival leader that might win on id and
   * move every other speaker onto its timeline. The clock keeps serving this tab's timeline until
   * a leader is heard; with nobody there, it claims again after the grace.
   */
  private rejoinAsNewcomer(): void {
    if (this.registry.ids().length > 0) return;
    this.leadership.restart();
    this.syncLeadership();
  }

  /** Follow the election's verdict (RoomLeadership), and tell peers and listeners. */
  private syncLeadership(): void {
    const change = this.leadership.sync(this.options.now());
    if (change === null) return;
    // Claim or concede at once rather than at the next heartbeat: failover is visible sooner.
    if (change.leaderChanged) this.broadcast({ type: 'heartbeat', ...this.election.heartbeat() });
    this.notify((e) => e.leadership?.(change.leaderId, change.term));
    this.changed();
  }

  private statusMessage(): RoomMessage {
    return { type: 'status', name: this.name, role: this.options.role, clock: clockReportOf(this.timeline.state()) };
  }

  /** Send a message to every linked peer. */
  broadcast(message: RoomMessage): void {
    const text = encodeMessage(message);
    for (const peerId of this.registry.ids()) this.transport.send(peerId, text);
  }

  private sendTo(peerId: string, message: RoomMessage, lane: Lane = Lane.reliable): void {
    this.transport.send(peerId, encodeMessage(message), lane);
  }

  private notify(call: (extension: RoomExtension) => void): void {
    this.extensions.notify(call);
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}
