/**
 * A Screen Wake Lock held while playing: acquired when wanted and the page is visible, released
 * when not wanted, and acquired again after the page returns (browsers drop the lock whenever the
 * page is hidden). Failures (battery saver, no permission) are kept in `lastError`, never thrown.
 */

/** The subset of `navigator.wakeLock` used (tests inject a fake). */
export interface WakeLockApi {
  request(type: 'screen'): Promise<{ readonly released: boolean; release(): Promise<void>; addEventListener(type: 'release', listener: () => void): void }>;
}

/** What the page tells about its visibility (tests inject a fake). */
export interface VisibilitySource {
  readonly visible: boolean;
  /** Calls `listener` on each visibility change; returns the unsubscription. */
  onChange(listener: () => void): () => void;
}

export const documentVisibility: VisibilitySource = {
  get visible() {
    return document.visibilityState === 'visible';
  },
  onChange(listener) {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

type Sentinel = Awaited<ReturnType<WakeLockApi['request']>>;

export class ScreenWakeLock {
  private wanted = false;
  private sentinel: Sentinel | null = null;
  private requesting = false;
  private error: string | null = null;
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly api: WakeLockApi | null = 'wakeLock' in navigator ? navigator.wakeLock : null,
    private readonly visibility: VisibilitySource = documentVisibility,
  ) {
    this.unsubscribe = visibility.onChange(() => void this.update());
  }

  /** The API exists in this browser. */
  get supported(): boolean {
    return this.api !== null;
  }

  /** True while a lock is held. */
  get held(): boolean {
    return this.sentinel !== null && !this.sentinel.released;
  }

  /** Why the last request failed; null after a success. */
  get lastError(): string | null {
    return this.error;
  }

  /** Hold the lock (while visible) or let it go. Resolves once the request settled. */
  setWanted(wanted: boolean): Promise<void> {
    this.wanted = wanted;
    return this.update();
  }

  dispose(): void {
    this.disposed = true;
    this.wanted = false;
    this.unsubscribe();
    void this.update();
  }

  private async update(): Promise<void> {
    if (this.api === null) return;
    const want = this.wanted && !this.disposed && this.visibility.visible;
    if (!want) {
      const sentinel = this.sentinel;
      this.sentinel = null;
      if (sentinel !== null && !sentinel.released) await sentinel.release().catch(() => undefined);
      return;
    }
    if (this.held || this.requesting) return;
    this.requesting = true;
    try {
      const sentinel = await this.api.request('screen');
      this.sentinel = sentinel;
      this.error = null;
      sentinel.addEventListener('release', () => {
        if (this.sentinel === sentinel) this.sentinel = null;
      });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.requesting = false;
    }
    // Wanted no more (or hidden) while the request was pending: let it go.
    if (!this.wanted || this.disposed || !this.visibility.visible) await this.update();
  }
}
