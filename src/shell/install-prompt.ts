/**
 * The browser's install prompt (`beforeinstallprompt`, Chromium) and standalone detection, behind
 * a small interface: it publishes the install affordance (src/sync/install-hint.ts) and shows the prompt.
 */
import { installMode, InstallMode } from '../sync/install-hint.js';

/** The deferred prompt event (not in TypeScript's DOM lib). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/** The install affordance as the UI sees it. */
export interface InstallPrompt {
  readonly mode: InstallMode;
  /** Called whenever `mode` changes. */
  onChange(listener: (mode: InstallMode) => void): void;
  /** Show the browser's prompt (only in mode `prompt`). */
  prompt(): Promise<void>;
  dispose(): void;
}

/** Listens on `window` for `beforeinstallprompt` and `appinstalled`. */
export class BrowserInstallPrompt implements InstallPrompt {
  private deferred: BeforeInstallPromptEvent | null = null;
  private installed = matchMedia('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true;
  private readonly listeners = new Set<(mode: InstallMode) => void>();

  private readonly onBeforeInstall = (event: Event): void => {
    event.preventDefault();
    this.deferred = event as BeforeInstallPromptEvent;
    this.changed();
  };

  private readonly onInstalled = (): void => {
    this.deferred = null;
    this.installed = true;
    this.changed();
  };

  constructor() {
    addEventListener('beforeinstallprompt', this.onBeforeInstall);
    addEventListener('appinstalled', this.onInstalled);
  }

  get mode(): InstallMode {
    return installMode({
      standalone: this.installed,
      promptAvailable: this.deferred !== null,
      userAgent: navigator.userAgent,
      maxTouchPoints: navigator.maxTouchPoints,
    });
  }

  onChange(listener: (mode: InstallMode) => void): void {
    this.listeners.add(listener);
  }

  async prompt(): Promise<void> {
    const deferred = this.deferred;
    if (deferred === null) return;
    this.deferred = null;
    await deferred.prompt();
    await deferred.userChoice;
    this.changed();
  }

  dispose(): void {
    this.listeners.clear();
    removeEventListener('beforeinstallprompt', this.onBeforeInstall);
    removeEventListener('appinstalled', this.onInstalled);
  }

  private changed(): void {
    const mode = this.mode;
    for (const listener of this.listeners) listener(mode);
  }
}
