/**
 * The room's play state on one tab. The leader owns it: it applies play commands (its own and
 * those members send it), advances zones at track ends, puts every speaker into a zone, and
 * broadcasts the state on each change and every second. Followers keep the newest copy (zone by
 * zone, by revision) and send their commands to the leader. On a leader change each follower
 * hands its copy to the new leader, which merges it, so a change the old leader made just before
 * leaving is not lost. Also relays each speaker's playout report for the dashboards.
 */
import { applyCommand, advanceIfEnded } from '../sync/play-commands.js';
import { mergePlayState } from '../sync/play-state-codec.js';
import { emptyRoomPlayState, getZone, zoneOfSpeaker, type PlayCommand, type RoomPlayState, type ZoneState } from '../sync/play-state.js';
import { parsePeerId } from '../sync/peer-ids.js';
import { IDLE_PLAYOUT_REPORT, type PlayoutReport } from '../sync/playout-report.js';
import type { MemberRole, RoomMessage } from '../sync/protocol.js';
import { startLeadMs, type SpeakerTiming } from '../sync/start-lead.js';
import type { Milliseconds } from '../sync/units.js';
import { EVERYWHERE_ZONE_ID } from '../sync/zone-targets.js';
import { NO_LEADER, PendingRequests } from './pending-requests.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';
import type { RoomSnapshot } from './room-snapshot.js';

/** The zone every speaker joins until groups put it elsewhere. */
export const DEFAULT_ZONE_ID = EVERYWHERE_ZONE_ID;
/** How often the leader re-broadcasts an unchanged state, and members their reports, ms. */
const REPEAT_MS = 1_000;
/**
 * The leader publishes a zone's next track this long before the current one ends, ms, so every
 * speaker can schedule it to start exactly at the boundary (gapless), as with any future start.
 */
const ADVANCE_AHEAD_MS = 1_000;
/** A command unanswered this long fails, ms. */
const COMMAND_TIMEOUT_MS = 4_000;

export interface PlaybackCoordinatorOptions {
  readonly links: RoomLinks & { snapshot(): RoomSnapshot };
  readonly role: MemberRole;
  /** Shared time now, ms. */
  readonly sharedNow: () => Milliseconds;
  /** Local time now, ms (for timers). */
  readonly now: () => Milliseconds;
}

/** A peer's latest playout report and when it arrived (local ms). */
export interface PeerReport {
  readonly report: PlayoutReport;
  readonly receivedAtMs: Milliseconds;
}

/** Events: `change` when the state or the reports may differ. */
export class PlaybackCoordinator extends EventTarget implements RoomExtension {
  private playState: RoomPlayState = emptyRoomPlayState();
  private readonly peerReports = new Map<string, PeerReport>();
  private ownReport: PlayoutReport = IDLE_PLAYOUT_REPORT;
  private readonly pending = new PendingRequests(COMMAND_TIMEOUT_MS, 'The leader did not answer');
  private lastBroadcastMs = -Infinity;
  private lastReportMs = -Infinity;
  private leaderId: string | null = null;

  constructor(readonly options: PlaybackCoordinatorOptions) {
    super();
    this.leaderId = options.links.leaderId;
  }

  /** This tab's speaker id (the zone member id). */
  get selfSpeakerId(): string {
    return speakerOf(this.options.links.selfId);
  }

  /** The room's play state as this tab knows it. */
  state(): RoomPlayState {
    return this.playState;
  }

  /** The zone this tab plays in (a remote: the default zone), or null. */
  ownZone(): ZoneState | null {
    const zoneId = zoneOfSpeaker(this.playState, this.selfSpeakerId) ?? (this.options.role === 'remote' ? DEFAULT_ZONE_ID : null);
    return zoneId === null ? null : getZone(this.playState, zoneId) ?? null;
  }

  /** The latest playout report of each peer (by peer id). */
  reports(): ReadonlyMap<string, PeerReport> {
    return this.peerReports;
  }

  /** Send a command to the leader (or apply it, when leading). Resolves with null or why it failed. */
  command(command: PlayCommand): Promise<string | null> {
    const { links } = this.options;
    if (links.leaderId === null) return Promise.resolve(NO_LEADER);
    if (links.leaderId === links.selfId) return Promise.resolve(this.apply(command));
    const leaderId = links.leaderId;
    return this.pending.request((id) => links.send(leaderId, { type: 'command', id, command }), 'The leader is unreachable');
  }

  /** This speaker's report: broadcast now if its phase changed, else with the next repeat. */
  setOwnReport(report: PlayoutReport): void {
    const phaseChanged = report.phase !== this.ownReport.phase || report.trackId !== this.ownReport.trackId;
    this.ownReport = report;
    if (phaseChanged) this.sendReport();
  }

  message(peerId: string, message: RoomMessage): void {
    switch (message.type) {
      case 'play-state':
        this.receiveState(peerId, message.state);
        return;
      case 'command': {
        const error = this.isLeader() ? this.apply(message.command) : 'not the leader';
        this.options.links.send(peerId, { type: 'command-result', id: message.id, error });
        return;
      }
      case 'command-result':
        this.pending.answer(message.id, message.error);
        return;
      case 'playout':
        this.peerReports.set(peerId, { report: message.report, receivedAtMs: this.options.now() });
        this.changed();
        return;
      default:
    }
  }

  peerUp(peerId: string): void {
    if (this.isLeader()) this.options.links.send(peerId, { type: 'play-state', term: this.options.links.term, state: this.playState });
    this.options.links.send(peerId, { type: 'playout', report: this.ownReport });
  }

  peerDown(peerId: string): void {
    if (this.peerReports.delete(peerId)) this.changed();
  }

  leadership(leaderId: string | null, term: number): void {
    if (leaderId === this.leaderId) return;
    this.leaderId = leaderId;
    const { links } = this.options;
    if (leaderId !== null && leaderId !== links.selfId) links.send(leaderId, { type: 'play-state', term, state: this.playState });
    if (leaderId === links.selfId) this.lastBroadcastMs = -Infinity;
  }

  tick(nowMs: Milliseconds): void {
    if (this.isLeader()) this.lead(nowMs);
    if (nowMs - this.lastReportMs >= REPEAT_MS) this.sendReport();
  }

  dispose(): void {
    this.pending.dispose();
  }

  private isLeader(): boolean {
    return this.options.links.leaderId === this.options.links.selfId;
  }

  /** Leader: advance ended zones, seat unseated speakers, broadcast changes and repeats. */
  private lead(nowMs: Milliseconds): void {
    let next = advanceIfEnded(this.playState, this.options.sharedNow() + ADVANCE_AHEAD_MS);
    for (const speakerId of this.speakerIds()) {
      if (zoneOfSpeaker(next, speakerId) !== null) continue;
      const result = applyCommand(next, { type: 'moveSpeaker', speakerId, toZoneId: DEFAULT_ZONE_ID }, this.context(DEFAULT_ZONE_ID, next));
      next = result.state;
    }
    const changed = next !== this.playState;
    this.playState = next;
    if (changed || nowMs - this.lastBroadcastMs >= REPEAT_MS) {
      this.lastBroadcastMs = nowMs;
      this.options.links.broadcast({ type: 'play-state', term: this.options.links.term, state: next });
    }
    if (changed) this.changed();
  }

  /** Leader: apply one command now; broadcast the result. Returns the error, or null. */
  private apply(command: PlayCommand): string | null {
    const zoneId = command.type === 'moveSpeaker' ? command.toZoneId ?? DEFAULT_ZONE_ID : command.zoneId;
    const result = applyCommand(this.playState, command, this.context(zoneId, this.playState));
    if (result.error !== undefined) return result.error;
    if (result.state !== this.playState) {
      this.playState = result.state;
      this.lastBroadcastMs = this.options.now();
      this.options.links.broadcast({ type: 'play-state', term: this.options.links.term, state: this.playState });
      this.changed();
    }
    return null;
  }

  private context(zoneId: string, state: RoomPlayState) {
    return { nowSharedMs: this.options.sharedNow(), startLeadMs: startLeadMs(this.zoneTimings(zoneId, state)) };
  }

  /** What the leader knows of each speaker in a zone: RTTs to it and its output latency. */
  private zoneTimings(zoneId: string, state: RoomPlayState): SpeakerTiming[] {
    const members = new Set(getZone(state, zoneId)?.members ?? []);
    const { links } = this.options;
    return links.snapshot().members
      .filter((m) => m.role === 'speaker' && members.has(speakerOf(m.peerId)))
      .map((m) => ({
        rttMs: m.isSelf ? 0 : m.rttMs,
        promptRttMs: m.isSelf ? 0 : m.clock?.rttMs ?? null,
        outputLatencyMs: (m.isSelf ? this.ownReport : this.peerReports.get(m.peerId)?.report)?.outputLatencyMs ?? null,
      }));
  }

  /** Speaker ids of the connected speakers (this tab included when it is one). */
  private speakerIds(): string[] {
    return this.options.links.snapshot().members
      .filter((m) => m.role === 'speaker' && (m.isSelf || m.state === 'connected'))
      .map((m) => speakerOf(m.peerId));
  }

  private receiveState(peerId: string, incoming: RoomPlayState): void {
    const { links } = this.options;
    // Followers take the leader's copy; the leader merges what followers hand over.
    if (!this.isLeader() && peerId !== links.leaderId) return;
    const merged = mergePlayState(this.playState, incoming);
    if (merged === this.playState) return;
    this.playState = merged;
    if (this.isLeader()) this.lastBroadcastMs = -Infinity;
    this.changed();
  }

  private sendReport(): void {
    this.lastReportMs = this.options.now();
    this.options.links.broadcast({ type: 'playout', report: this.ownReport });
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

function speakerOf(peerId: string): string {
  return parsePeerId(peerId)?.speakerId ?? peerId;
}
