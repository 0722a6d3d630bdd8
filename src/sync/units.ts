/** Time in milliseconds. Local clocks and the shared timeline are both in ms. */
export type Milliseconds = number;
/** Time in seconds (the audio output's context time). */
export type Seconds = number;
/** A clock rate difference in parts per million (1 ppm = 1 µs per second). */
export type Ppm = number;

/** Convert seconds to milliseconds. */
export const secToMs = (s: Seconds): Milliseconds => s * 1000;
/** Convert milliseconds to seconds. */
export const msToSec = (ms: Milliseconds): Seconds => ms / 1000;
