import { expect } from '@open-wc/testing';
import { LockScreenControls, type ZoneControls } from '../../src/shell/lock-screen-controls.js';
import type { MediaActionCall, MediaMetadataInfo, MediaSessionPort } from '../../src/shell/media-session.js';
import { ScreenWakeLock, type VisibilitySource, type WakeLockApi } from '../../src/shell/wake-lock.js';
import type { MediaAction, ZoneTransportCommand } from '../../src/sync/media-controls.js';
import { newZone, type ZoneState } from '../../src/sync/play-state.js';

const T1 = { trackId: 'a'.repeat(64), title: 'One', artist: 'Band', durationSec: 200 };
const T2 = { trackId: 'b'.repeat(64), title: 'Two', artist: 'Band', durationSec: 100 };

/** Records everything the controls tell the system; accepts every action except `stop`. */
class FakePort implements MediaSessionPort {
  metadata: MediaMetadataInfo | null = null;
  metadataCalls = 0;
  state: string | null = null;
  positions: Array<{ durationSec: number; positionSec: number } | null> = [];
  handler: ((action: MediaAction, call: MediaActionCall) => void) | null = null;
  disposed = false;
  setMetadata(info: MediaMetadataInfo | null): void {
    this.metadata = info;
    this.metadataCalls++;
  }
  setPlaybackState(state: 'none' | 'paused' | 'playing'): void {
    this.state = state;
  }
  setPositionState(state: { durationSec: number; positionSec: number } | null): void {
    this.positions.push(state === null ? null : { durationSec: state.durationSec, positionSec: state.positionSec });
  }
  setHandlers(handler: (action: MediaAction, call: MediaActionCall) => void, actions: readonly MediaAction[]): MediaAction[] {
    this.handler = handler;
    return actions.filter((a) => a !== 'stop');
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** A zone the test drives; commands are recorded and answered with null. */
class FakeZone implements ZoneControls {
  zone: ZoneState | null = null;
  nowMs = 20_000;
  commands: ZoneTransportCommand[] = [];
  private listeners = new Set<() => void>();
  ownZone(): ZoneState | null {
    return this.zone;
  }
  sharedNow(): number {
    return this.nowMs;
  }
  command(command: ZoneTransportCommand): Promise<string | null> {
    this.commands.push(command);
    return Promise.resolve(null);
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(zone: ZoneState | null): void {
    this.zone = zone;
    for (const l of this.listeners) l();
  }
}

const playingAt = (index: number, revision: number): ZoneState => ({
  ...newZone('main'), members: ['s1'], queue: [T1, T2], currentIndex: index, status: 'playing', startSharedMs: 10_000, startPositionSec: 0, revision,
});

describe('LockScreenControls', () => {
  it('shows the current track (album and cover from the library) and keeps state and position current', async () => {
    const port = new FakePort();
    const zone = new FakeZone();
    const created: string[] = [];
    const revoked: string[] = [];
    let coverAsked: () => void = () => {};
    const coverDone = new Promise<void>((resolve) => (coverAsked = resolve));
    const controls = new LockScreenControls(port, zone, {
      album: (id) => (id === T1.trackId ? 'Album One' : ''),
      cover: async (id) => {
        queueMicrotask(coverAsked);
        return id === T1.trackId ? new Blob(['png'], { type: 'image/png' }) : undefined;
      },
    }, {
      create: () => {
        const url = `blob:${created.length}`;
        created.push(url);
        return url;
      },
      revoke: (url) => revoked.push(url),
    });
    expect(port.state).to.equal('none');
    expect(controls.actions).to.not.include('stop');

    zone.set(playingAt(0, 1));
    expect(port.state).to.equal('playing');
    expect(port.metadata).to.deep.include({ title: 'One', artist: 'Band', album: 'Album One' });
    expect(port.positions.at(-1)).to.deep.equal({ durationSec: 200, positionSec: 10 });
    await coverDone;
    await Promise.resolve();
    expect(port.metadata?.artworkUrl).to.equal('blob:0');
    expect(port.metadata?.artworkType).to.equal('image/png');

    const calls = port.metadataCalls;
    const positions = port.positions.length;
    zone.set(playingAt(0, 1));
    expect(port.metadataCalls, 'same track: metadata untouched').to.equal(calls);
    expect(port.positions.length, 'same schedule: position untouched').to.equal(positions);

    zone.set({ ...playingAt(0, 2), status: 'paused', pausedPositionSec: 42 });
    expect(port.state).to.equal('paused');
    expect(port.positions.at(-1)).to.deep.equal({ durationSec: 200, positionSec: 42 });

    zone.set(playingAt(1, 3));
    expect(port.metadata).to.deep.include({ title: 'Two', album: '', artworkUrl: null });
    expect(revoked).to.deep.equal(['blob:0']);

    zone.set(null);
    expect(port.state).to.equal('none');
    expect(port.metadata).to.equal(null);
    expect(port.positions.at(-1)).to.equal(null);
    controls.dispose();
    expect(port.disposed).to.equal(true);
  });

  it('turns system actions into zone commands', async () => {
    const port = new FakePort();
    const zone = new FakeZone();
    const controls = new LockScreenControls(port, zone, { album: () => '', cover: async () => undefined });
    zone.set(playingAt(0, 1));
    expect(await controls.act('pause')).to.equal(null);
    port.handler!('nexttrack', {});
    port.handler!('seekto', { seekTimeSec: 33 });
    await Promise.resolve();
    expect(zone.commands).to.deep.equal([{ type: 'pause' }, { type: 'next' }, { type: 'seek', positionSec: 33 }]);
    expect(await controls.act('play')).to.match(/nothing to play/);
    controls.dispose();
  });
});

/** A wake-lock API whose sentinels the test can inspect; `refuse` makes requests fail. */
class FakeWakeLock implements WakeLockApi {
  requests = 0;
  refuse = false;
  sentinels: Array<{ released: boolean; release(): Promise<void>; addEventListener(type: 'release', l: () => void): void; fire(): void }> = [];
  async request(): Promise<FakeWakeLock['sentinels'][number]> {
    this.requests++;
    if (this.refuse) throw new Error('NotAllowedError: battery saver');
    const listeners: Array<() => void> = [];
    const sentinel = {
      released: false,
      release: async () => sentinel.fire(),
      addEventListener: (_type: 'release', l: () => void) => listeners.push(l),
      fire: () => {
        if (sentinel.released) return;
        sentinel.released = true;
        for (const l of listeners) l();
      },
    };
    this.sentinels.push(sentinel);
    return sentinel;
  }
}

class FakeVisibility implements VisibilitySource {
  visible = true;
  private listener: (() => void) | null = null;
  onChange(listener: () => void): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
  set(visible: boolean): void {
    this.visible = visible;
    this.listener?.();
  }
}

describe('ScreenWakeLock', () => {
  it('holds the lock while wanted and visible, and takes it again after the page returns', async () => {
    const api = new FakeWakeLock();
    const visibility = new FakeVisibility();
    const lock = new ScreenWakeLock(api, visibility);
    await lock.setWanted(true);
    expect(lock.held).to.equal(true);
    // The browser drops the lock when the page is hidden.
    visibility.visible = false;
    api.sentinels[0]!.fire();
    visibility.set(false);
    expect(lock.held).to.equal(false);
    visibility.visible = true;
    await lock.setWanted(true);
    expect(api.requests).to.equal(2);
    expect(lock.held).to.equal(true);
    await lock.setWanted(false);
    expect(lock.held).to.equal(false);
    expect(api.sentinels[1]!.released).to.equal(true);
    lock.dispose();
  });

  it('keeps a refusal as lastError instead of throwing, and does nothing without the API', async () => {
    const api = new FakeWakeLock();
    api.refuse = true;
    const lock = new ScreenWakeLock(api, new FakeVisibility());
    await lock.setWanted(true);
    expect(lock.held).to.equal(false);
    expect(lock.lastError).to.match(/battery saver/);
    const none = new ScreenWakeLock(null, new FakeVisibility());
    expect(none.supported).to.equal(false);
    await none.setWanted(true);
    expect(none.held).to.equal(false);
    lock.dispose();
    none.dispose();
  });
});
