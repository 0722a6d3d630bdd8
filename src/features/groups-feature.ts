/**
 * Groups and zones in the app: the room's GroupCoordinator (persisted per room), this speaker's
 * name and mix told to the room and its stereo side followed, the leader keeping group zones in
 * line with group membership, the room view (<tutti-groups slot="groups">), and the RoomControl
 * that voice and the cards drive. `window.tutti.features.groups` exposes the control and state (tests,
 * console).
 */
import '../components/tutti-groups.js';
import type { GroupAction } from '../components/group-events.js';
import { GroupCoordinator, type OwnSpeakerInfo } from '../room/group-coordinator.js';
import { RoomCatalog } from '../room/room-catalog.js';
import { IdbGroupStore, MemoryGroupStore, type GroupStore } from '../shell/group-store.js';
import { channelOf, emptyRoomGroups, type RoomGroups } from '../sync/group-state.js';
import { buildGroupsView } from '../sync/groups-view.js';
import { followGroupMoves } from '../sync/zone-targets.js';
import type { FeatureDeps } from './feature-deps.js';
import { createRoomControl, knownSpeakers } from './room-control-impl.js';
import { ControlError, TargetKind, type ControlTarget, type RoomControl } from './room-control.js';

/** The room view re-renders at most this often, ms. */
const VIEW_EVERY_MS = 250;
const GROUP_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** What the groups feature offers the other features. */
export interface GroupsFeature {
  readonly control: RoomControl;
  readonly coordinator: GroupCoordinator;
  dispose(): void;
}

export function startGroups(deps: FeatureDeps): GroupsFeature {
  const { session, playback, app } = deps;
  const store: GroupStore = typeof indexedDB === 'undefined' ? new MemoryGroupStore() : new IdbGroupStore(session.snapshot().roomId);
  const coordinator = new GroupCoordinator({
    links: session,
    initial: emptyRoomGroups(),
    sharedNow: () => session.timeline.now(),
    now: deps.clock.now,
    persist: (state: RoomGroups) => void store.save(state).catch((error: unknown) => console.warn('[tutti] could not save groups', error)),
    mixRequested: (volume, muted) => playback.speaker.update({ volume, muted }),
  });
  const removeExtension = session.addExtension(coordinator);
  void store.load().then((copy) => coordinator.restore(copy), (error: unknown) => console.warn('[tutti] could not load groups', error));
  const catalog = new RoomCatalog(session, () => deps.library.tracks());
  const removeCatalog = session.addExtension(catalog);
  const onLibrary = (): void => catalog.libraryChanged();
  deps.library.addEventListener('change', onLibrary);
  const control = createRoomControl({ groups: coordinator, play: playback.coordinator, tracks: () => catalog.tracks(), snapshot: () => session.snapshot(), makeGroupId });

  // This speaker tells the room its name and mix, and plays its side of a stereo pair.
  let told: OwnSpeakerInfo | null = null;
  const tellOwnInfo = (): void => {
    const snapshot = session.snapshot();
    if (snapshot.role !== 'speaker') return;
    const { volume, muted } = playback.speaker.settings;
    const info = { name: snapshot.name, volume, muted };
    if (told?.name === info.name && told.volume === volume && told.muted === muted) return;
    told = info;
    coordinator.setOwnInfo(info);
  };
  const followChannel = (): void => playback.speaker.setChannel(channelOf(coordinator.state(), coordinator.selfSpeakerId));

  // The leader keeps each playing group's zone in line with the group's members.
  let reconciling = false;
  const reconcile = (): void => {
    if (reconciling || session.leaderId !== session.selfId) return;
    reconciling = true;
    for (const move of followGroupMoves(coordinator.state(), playback.coordinator.state())) void playback.coordinator.command(move);
    reconciling = false;
  };

  const element = document.createElement('tutti-groups');
  element.slot = 'groups';
  app.append(element);
  let viewTimer: ReturnType<typeof setTimeout> | null = null;
  const renderView = (): void => {
    viewTimer ??= setTimeout(() => {
      viewTimer = null;
      element.view = buildGroupsView(coordinator.state(), playback.coordinator.state(), knownSpeakers({ groups: coordinator, snapshot: () => session.snapshot() }));
    }, VIEW_EVERY_MS);
  };
  const onAction = (event: { action: GroupAction }): void => {
    element.actionError = null;
    runAction(event.action, coordinator, control, deps).catch((error: unknown) => {
      element.actionError = error instanceof Error ? error.message : String(error);
    });
  };

  const onGroups = (): void => {
    followChannel();
    reconcile();
    renderView();
  };
  const onPlay = (): void => {
    reconcile();
    renderView();
  };
  const onSession = (): void => {
    tellOwnInfo();
    renderView();
  };
  coordinator.addEventListener('change', onGroups);
  playback.coordinator.addEventListener('change', onPlay);
  playback.speaker.addEventListener('change', tellOwnInfo);
  session.addEventListener('change', onSession);
  deps.library.addEventListener('change', renderView);
  element.addEventListener('group-action', onAction);
  tellOwnInfo();
  renderView();
  window.tutti.features.groups = { control, state: () => coordinator.state() };

  return {
    control,
    coordinator,
    dispose() {
      element.removeEventListener('group-action', onAction);
      coordinator.removeEventListener('change', onGroups);
      playback.coordinator.removeEventListener('change', onPlay);
      playback.speaker.removeEventListener('change', tellOwnInfo);
      session.removeEventListener('change', onSession);
      deps.library.removeEventListener('change', renderView);
      if (viewTimer !== null) clearTimeout(viewTimer);
      element.remove();
      delete window.tutti.features.groups;
      deps.library.removeEventListener('change', onLibrary);
      removeCatalog();
      removeExtension();
      coordinator.dispose();
    },
  };
}

/** Carries out one action from the room view; rejects with words for the user. */
async function runAction(action: GroupAction, coordinator: GroupCoordinator, control: RoomControl, deps: FeatureDeps): Promise<void> {
  const target = (groupId: string): ControlTarget => {
    const found = control.targets().find((t) => t.kind === TargetKind.group && t.id === groupId);
    if (found === undefined) throw new ControlError('That group no longer exists');
    return found;
  };
  const groupCommand = async (command: Parameters<GroupCoordinator['command']>[0]): Promise<void> => {
    const error = await coordinator.command(command);
    if (error !== null) throw new ControlError(error);
  };
  switch (action.type) {
    case 'create':
      await control.createGroup(action.name, action.memberIds);
      return;
    case 'rename':
      return groupCommand({ type: 'renameGroup', groupId: action.groupId, name: action.name });
    case 'delete':
      return groupCommand({ type: 'deleteGroup', groupId: action.groupId });
    case 'move':
      return groupCommand({ type: 'moveSpeaker', speakerId: action.speakerId, groupId: action.groupId });
    case 'pair':
      return groupCommand({ type: 'setPair', groupId: action.groupId, pair: action.pair });
    case 'play': {
      const trackIds = deps.library.tracks().map((t) => t.trackId);
      if (trackIds.length === 0) throw new ControlError('The library is empty: add a track first');
      return control.play(target(action.groupId), trackIds);
    }
    case 'pause':
    case 'resume':
      return control.transport(target(action.groupId), action.type);
    case 'volume':
      return control.setVolume(target(action.groupId), action.volume);
    case 'speakerVolume': {
      const speaker = control.targets().find((t) => t.kind === TargetKind.speaker && t.id === action.speakerId);
      if (speaker === undefined) throw new ControlError('That speaker is not in the room');
      return control.setVolume(speaker, action.volume);
    }
  }
}

function makeGroupId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `g${[...bytes].map((b) => GROUP_ID_ALPHABET[b % GROUP_ID_ALPHABET.length]).join('')}`;
}
