/**
 * The room's groups on one tab. The leader owns them: it applies group commands (its own and
 * members'), and broadcasts the state on each change and every few seconds. Every tab keeps the
 * newest copy (entry by entry, see mergeGroups) and persists it, so groups survive every tab
 * closing; when a tab becomes leader it starts from its own copy, and each follower hands its
 * copy to a new leader, which merges it (nothing the old leader accepted is lost, and copies
 * from before a full reload come back).
 *
 * Each speaker is the authority for its own registry entry (name, volume, mute): it tells the
 * leader whenever they change, and volume changes asked by others reach it as `speaker-mix`.
 */
import { mergeGroups } from '../sync/group-codec.js';
import { applyGroupCommand, type GroupCommand } from '../sync/group-commands.js';
import { cleanGroupName, getSpeaker, type RoomGroups } from '../sync/group-state.js';
import { makePeerId, parsePeerId } from '../sync/peer-ids.js';
import type { RoomMessage } from '../sync/protocol.js';
import type { Milliseconds } from '../sync/units.js';
import { NO_LEADER, PendingRequests } from './pending-requests.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';

/** How often the leader repeats an unchanged state, ms. */
const REPEAT_MS = 3_000;
/** A command unanswered this long fails, ms. */
const COMMAND_TIMEOUT_MS = 4_000;

/** A speaker's own name and mix, as it tells the room. */
export interface OwnSpeakerInfo {
  readonly name: string;
  readonly volume: number;
  readonly muted: boolean;
}

export interface GroupCoordinatorOptions {
  readonly links: RoomLinks;
  /** The copy this tab had persisted (or an empty state). */
  readonly initial: RoomGroups;
  /** Shared time now, ms (stamps edits). */
  readonly sharedNow: () => Milliseconds;
  /** Local time now, ms (for timers). */
  readonly now: () => Milliseconds;
  /** Persist a changed state (called after each change; may be slow, errors are its own). */
  readonly persist: (state: RoomGroups) => void;
  /** Someone asked this speaker to change its volume or mute. */
  readonly mixRequested?: (volume: number, muted: boolean) => void;
}

/** Events: `change` when the state may differ. */
export class GroupCoordinator extends EventTarget implements RoomExtension {
  private groups: RoomGroups;
  private ownInfo: OwnSpeakerInfo | null = null;
  private readonly pending = new PendingRequests(COMMAND_TIMEOUT_MS, 'The leader did not answer');
  private lastBroadcastMs = Number.NEGATIVE_INFINITY;
  private leaderId: string | null;

  constructor(private readonly options: GroupCoordinatorOptions) {
    super();
    this.groups = options.initial;
    this.leaderId = options.links.leaderId;
  }

  /** This tab's speaker id. */
  get selfSpeakerId(): string {
    return speakerOf(this.options.links.selfId);
  }

  state(): RoomGroups {
    return this.groups;
  }

  /** Ask the leader for a change (applied at once when leading). Resolves with null or why not. */
  command(command: GroupCommand): Promise<string | null> {
    const { links } = this.options;
    if (links.leaderId === null) return Promise.resolve(NO_LEADER);
    if (links.leaderId === links.selfId) return Promise.resolve(this.apply(command));
    const leaderId = links.leaderId;
    return this.pending.request((id) => links.send(leaderId, { type: 'group-command', id, command }), 'The leader is unreachable');
  }

  /**
   * Merge a copy persisted on this device (the room as it was when this tab last saw it) and,
   * when following, hand it to the leader, which merges it too.
   */
  restore(copy: RoomGroups): void {
    this.adopt(mergeGroups(this.groups, copy));
    const leaderId = this.options.links.leaderId;
    if (leaderId !== null && !this.isLeader()) this.sendState(leaderId);
  }

  /** This speaker's name and mix changed (or are known for the first time): tell the room. */
  setOwnInfo(info: OwnSpeakerInfo): void {
    this.ownInfo = info;
    this.sendOwnInfo();
  }

  /**
   * Ask speaker `speakerId` to set its volume and mute (itself: applied here). False when that
   * speaker is not connected.
   */
  sendMix(speakerId: string, volume: number, muted: boolean): boolean {
    if (speakerId === this.selfSpeakerId) {
      this.options.mixRequested?.(volume, muted);
      return true;
    }
    const room = parsePeerId(this.options.links.selfId)?.roomId;
    if (room === undefined) return false;
    return this.options.links.send(makePeerId(room, speakerId), { type: 'speaker-mix', volume, muted });
  }

  message(peerId: string, message: RoomMessage): void {
    switch (message.type) {
      case 'groups-state':
        this.receive(peerId, message.state);
        return;
      case 'group-command': {
        const error = this.isLeader() ? this.apply(message.command) : 'not the leader';
        this.options.links.send(peerId, { type: 'group-result', id: message.id, error });
        return;
      }
      case 'group-result':
        this.pending.answer(message.id, message.error);
        return;
      case 'speaker-mix':
        this.options.mixRequested?.(message.volume, message.muted);
        return;
      default:
    }
  }

  peerUp(peerId: string): void {
    if (this.isLeader()) this.sendState(peerId);
    else if (peerId === this.options.links.leaderId) this.sendOwnInfo();
  }

  leadership(leaderId: string | null): void {
    if (leaderId === this.leaderId) return;
    this.leaderId = leaderId;
    const { links } = this.options;
    if (leaderId === links.selfId) this.lastBroadcastMs = Number.NEGATIVE_INFINITY;
    else if (leaderId !== null) this.sendState(leaderId);
    this.sendOwnInfo();
  }

  tick(nowMs: Milliseconds): void {
    if (!this.isLeader() || nowMs - this.lastBroadcastMs < REPEAT_MS) return;
    this.lastBroadcastMs = nowMs;
    this.options.links.broadcast({ type: 'groups-state', term: this.options.links.term, state: this.groups });
  }

  dispose(): void {
    this.pending.dispose();
  }

  private isLeader(): boolean {
    return this.options.links.leaderId === this.options.links.selfId;
  }

  private apply(command: GroupCommand): string | null {
    const result = applyGroupCommand(this.groups, command, this.options.sharedNow());
    if (result.error !== undefined) return result.error;
    this.adopt(result.state);
    return null;
  }

  private receive(peerId: string, incoming: RoomGroups): void {
    // Followers take the leader's copy; the leader merges what followers hand over.
    if (!this.isLeader() && peerId !== this.options.links.leaderId) return;
    this.adopt(mergeGroups(this.groups, incoming));
    // A follower whose own entry the room lost (e.g. a leader that started from an old copy) says it again.
    if (!this.isLeader() && this.ownInfo !== null && !this.entryMatches(this.ownInfo)) this.sendOwnInfo();
  }

  private adopt(next: RoomGroups): void {
    if (next === this.groups) return;
    this.groups = next;
    if (this.isLeader()) {
      this.lastBroadcastMs = this.options.now();
      this.options.links.broadcast({ type: 'groups-state', term: this.options.links.term, state: next });
    }
    this.options.persist(next);
    this.dispatchEvent(new Event('change'));
  }

  private entryMatches(info: OwnSpeakerInfo): boolean {
    const entry = getSpeaker(this.groups, this.selfSpeakerId);
    return entry !== undefined && entry.name === cleanGroupName(info.name) && entry.volume === info.volume && entry.muted === info.muted;
  }

  private sendOwnInfo(): void {
    if (this.ownInfo === null || parsePeerId(this.options.links.selfId) === null) return;
    void this.command({ type: 'speakerInfo', speakerId: this.selfSpeakerId, ...this.ownInfo }).then((error) => {
      if (error !== null && error !== NO_LEADER) console.warn(`[tutti] speaker info not taken: ${error}`);
    });
  }

  private sendState(peerId: string): void {
    this.options.links.send(peerId, { type: 'groups-state', term: this.options.links.term, state: this.groups });
  }
}

function speakerOf(peerId: string): string {
  return parsePeerId(peerId)?.speakerId ?? peerId;
}
