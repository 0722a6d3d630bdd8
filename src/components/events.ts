/** Typed events that components send up. */

/** The person renamed this speaker. */
export class NameChangeEvent extends Event {
  static readonly type = 'name-change';
  constructor(readonly name: string) {
    super(NameChangeEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'name-change': NameChangeEvent;
  }
}
