/** Typed events that components send up. */

/** The person renamed this speaker. */
export class NameChangeEvent extends Event {
  static readonly type = 'name-change';
  constructor(readonly name: string) {
    super(NameChangeEvent.type, { bubbles: true, composed: true });
  }
}

/** The person asked to reload into the new version of the app. */
export class UpdateAcceptEvent extends Event {
  static readonly type = 'update-accept';
  constructor() {
    super(UpdateAcceptEvent.type, { bubbles: true, composed: true });
  }
}

/** The person asked to install the app (the browser's install prompt). */
export class InstallRequestEvent extends Event {
  static readonly type = 'install-request';
  constructor() {
    super(InstallRequestEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'name-change': NameChangeEvent;
    'update-accept': UpdateAcceptEvent;
    'install-request': InstallRequestEvent;
  }
}
