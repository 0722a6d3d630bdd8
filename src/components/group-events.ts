/**
 * Typed events the room view (<tutti-groups>) sends up; the groups feature turns them into group
 * commands and zone commands. Ids are speaker ids and group ids.
 */
import type { StereoPair } from '../sync/group-state.js';

/** What the person asked of the room's groups. */
export type GroupAction =
  | { readonly type: 'create'; readonly name: string; readonly memberIds: readonly string[] }
  | { readonly type: 'rename'; readonly groupId: string; readonly name: string }
  | { readonly type: 'delete'; readonly groupId: string }
  | { readonly type: 'move'; readonly speakerId: string; readonly groupId: string | null }
  | { readonly type: 'pair'; readonly groupId: string; readonly pair: StereoPair | null }
  | { readonly type: 'play' | 'pause' | 'resume'; readonly groupId: string }
  | { readonly type: 'volume'; readonly groupId: string; readonly volume: number }
  | { readonly type: 'speakerVolume'; readonly speakerId: string; readonly volume: number };

export class GroupActionEvent extends Event {
  static readonly type = 'group-action';
  constructor(readonly action: GroupAction) {
    super(GroupActionEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'group-action': GroupActionEvent;
  }
}
