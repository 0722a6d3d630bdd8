/**
 * Spoken replies behind an interface, with the browser implementation over `speechSynthesis`
 * (a new reply cancels the one still speaking; the browser's language).
 */

/** Speaks short replies; tests inject fakes. */
export interface SpeechSynthesizer {
  /** Whether this browser can speak. */
  readonly supported: boolean;
  /** Speaks `text`, cutting off whatever is still being said. Never throws. */
  speak(text: string): void;
  /** Stops speaking. */
  cancel(): void;
  dispose(): void;
}

/** The browser's synthesizer; a silent one where `speechSynthesis` is missing. */
export function createBrowserSynthesizer(win: Window = window): SpeechSynthesizer {
  const host = win as Window & { speechSynthesis?: SpeechSynthesis; SpeechSynthesisUtterance?: typeof SpeechSynthesisUtterance };
  const synthesis = host.speechSynthesis ?? null;
  const Utterance = host.SpeechSynthesisUtterance ?? null;
  const cancel = (): void => synthesis?.cancel();
  return {
    supported: synthesis !== null && Utterance !== null,
    speak(text) {
      if (synthesis === null || Utterance === null || text.trim() === '') return;
      synthesis.cancel();
      const utterance = new Utterance(text);
      utterance.lang = win.navigator.language;
      synthesis.speak(utterance);
    },
    cancel,
    dispose: cancel,
  };
}
