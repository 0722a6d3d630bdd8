/**
 * Speech recognition behind an interface: one-shot push-to-talk listening and continuous
 * (hands-free) listening, with the browser implementation over the Web Speech API
 * (`SpeechRecognition` / `webkitSpeechRecognition`; 5 alternatives, final results only, the
 * browser's language). Errors become `SpeechRecognitionFailure`s with messages for people.
 */
import type { RecognitionAlternative } from '../voice/voice-intent.js';

/** A recognizer; tests inject fakes. */
export interface SpeechRecognizer {
  /** Whether this browser can recognize speech at all. */
  readonly supported: boolean;
  /** Listens for one utterance: its alternatives, best first ([] when nothing was said). Rejects with SpeechRecognitionFailure. */
  listenOnce(): Promise<readonly RecognitionAlternative[]>;
  /** Listens until `stop()`: each utterance goes to `onResult`; a fatal error goes to `onError` and ends listening. */
  listenContinuously(onResult: (alternatives: readonly RecognitionAlternative[]) => void, onError: (failure: SpeechRecognitionFailure) => void): void;
  /** Stops any listening; a pending `listenOnce` rejects with code 'aborted'. */
  stop(): void;
  dispose(): void;
}

/** Why recognition failed: the Web Speech API error code and a message for people. */
export class SpeechRecognitionFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Error codes after which listening again would fail the same way. */
const FATAL_CODES = new Set(['not-allowed', 'service-not-allowed', 'audio-capture', 'language-not-supported', 'network']);

/** A clear message for a Web Speech API error code. */
export function recognitionErrorMessage(code: string): string {
  switch (code) {
    case 'not-allowed':
    case 'service-not-allowed':
      return 'Microphone access is blocked. Allow the microphone for this site, or type a command instead.';
    case 'no-speech':
      return "I didn't hear anything. Try again, a little closer to the microphone.";
    case 'network':
      return 'Speech recognition needs a network connection. Type a command instead.';
    case 'audio-capture':
      return 'No microphone was found. Connect one, or type a command instead.';
    case 'aborted':
      return 'Stopped listening.';
    case 'language-not-supported':
      return "Speech recognition doesn't support this browser's language. Type a command instead.";
    default:
      return `Speech recognition failed (${code}). Type a command instead.`;
  }
}

interface RecognitionResultLike {
  readonly isFinal: boolean;
  readonly length: number;
  readonly [index: number]: { readonly transcript: string; readonly confidence: number };
}
interface RecognitionEventLike {
  readonly resultIndex: number;
  readonly results: { readonly length: number; readonly [index: number]: RecognitionResultLike };
}
interface RecognitionLike {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  onresult: ((event: RecognitionEventLike) => void) | null;
  onerror: ((event: { readonly error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  abort(): void;
}
type RecognitionConstructor = new () => RecognitionLike;

/** Alternatives of one result, best first. */
function alternativesOf(result: RecognitionResultLike): RecognitionAlternative[] {
  const alternatives: RecognitionAlternative[] = [];
  for (let i = 0; i < result.length; i++) alternatives.push({ transcript: result[i]!.transcript, confidence: result[i]!.confidence });
  return alternatives;
}

/** The browser's recognizer; `supported` is false (and listening rejects) where the API is missing. */
export function createBrowserRecognizer(win: Window = window): SpeechRecognizer {
  const host = win as unknown as { SpeechRecognition?: RecognitionConstructor; webkitSpeechRecognition?: RecognitionConstructor };
  const Recognition = host.SpeechRecognition ?? host.webkitSpeechRecognition;
  let active: RecognitionLike | null = null;
  let continuous = false;

  const make = (keepListening: boolean): RecognitionLike => {
    const recognition = new Recognition!();
    recognition.lang = win.navigator.language;
    recognition.continuous = keepListening;
    recognition.interimResults = false;
    recognition.maxAlternatives = 5;
    return recognition;
  };

  const stop = (): void => {
    continuous = false;
    const current = active;
    active = null;
    current?.abort();
  };

  return {
    supported: Recognition !== undefined,
    listenOnce() {
      if (Recognition === undefined) return Promise.reject(new SpeechRecognitionFailure('unsupported', 'This browser cannot recognize speech. Type a command instead.'));
      stop();
      const recognition = make(false);
      active = recognition;
      return new Promise((resolve, reject) => {
        let heard: RecognitionAlternative[] = [];
        let failure: SpeechRecognitionFailure | null = null;
        recognition.onresult = (event) => {
          const result = event.results[event.resultIndex];
          if (result?.isFinal === true) heard = alternativesOf(result);
        };
        recognition.onerror = (event) => {
          failure = event.error === 'no-speech' ? null : new SpeechRecognitionFailure(event.error, recognitionErrorMessage(event.error));
        };
        recognition.onend = () => {
          const stopped = active !== recognition;
          if (!stopped) active = null;
          if (failure !== null) reject(failure);
          else if (stopped && heard.length === 0) reject(new SpeechRecognitionFailure('aborted', recognitionErrorMessage('aborted')));
          else resolve(heard);
        };
        recognition.start();
      });
    },
    listenContinuously(onResult, onError) {
      if (Recognition === undefined) {
        onError(new SpeechRecognitionFailure('unsupported', 'This browser cannot recognize speech. Type a command instead.'));
        return;
      }
      stop();
      continuous = true;
      const begin = (): void => {
        const recognition = make(true);
        active = recognition;
        let fatal: SpeechRecognitionFailure | null = null;
        recognition.onresult = (event) => {
          for (let i = event.resultIndex; i < event.results.length; i++) {
            const result = event.results[i]!;
            if (result.isFinal) onResult(alternativesOf(result));
          }
        };
        recognition.onerror = (event) => {
          if (FATAL_CODES.has(event.error)) fatal = new SpeechRecognitionFailure(event.error, recognitionErrorMessage(event.error));
        };
        recognition.onend = () => {
          if (active !== recognition || !continuous) return;
          if (fatal !== null) {
            stop();
            onError(fatal);
          } else {
            begin();
          }
        };
        recognition.start();
      };
      begin();
    },
    stop,
    dispose: stop,
  };
}
