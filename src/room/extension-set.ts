/**
 * The features riding on a room's links (`RoomExtension`s), called in the order they were added;
 * one that throws is logged and does not stop the others.
 */
import type { RoomExtension } from './room-extension.js';

export class ExtensionSet {
  private extensions: readonly RoomExtension[] = [];

  /** Adds `extension`; returns its removal. */
  add(extension: RoomExtension): () => void {
    this.extensions = [...this.extensions, extension];
    return () => {
      this.extensions = this.extensions.filter((e) => e !== extension);
    };
  }

  /** Calls `call` on every extension (a copy of the list: one added or removed meanwhile waits for the next call). */
  notify(call: (extension: RoomExtension) => void): void {
    for (const extension of this.extensions) {
      try {
        call(extension);
      } catch (error) {
        console.error('[tutti] room extension failed', error);
      }
    }
  }
}
