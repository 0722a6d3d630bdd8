/**
 * The timely lane of a PeerJS link: a second data channel on the link's RTCPeerConnection,
 * unordered and never re-sent, for messages whose worth is their timeliness (the clock's probes
 * and replies). On the link's reliable ordered channel such a message waits behind every track
 * chunk queued before it. This channel is its own SCTP stream, sent beside the chunks' stream
 * instead of behind its queue. `npm run bench:lanes` (pings every 10 ms while 40 MB of chunks
 * cross one link with 256 KB kept buffered, both ends in one Chromium page on this 2-core
 * machine; round trips p50 / p90): on the chunks' channel 50–51 / 322–346 ms, on this lane
 * 33–35 / 125–143 ms (idle 1.5–2 ms either way). A connection of its own did a little better
 * (34–35 / 102–112 ms) at the cost of a second ICE and DTLS handshake per link.
 *
 * The channel is negotiated (a fixed id on both ends, no in-band open message), so PeerJS's
 * `ondatachannel`, which would take any announced channel for its own, never sees it. Data sent
 * before the peer has made its end is dropped, so the lane is used only once the peer has proved
 * its end exists: both ends send a hello when their channel opens, answer the first hello they
 * receive, and retry a few times until one arrives. Until then, and if it never does (an old
 * peer), {@link TimingLane.ready} is false and the caller sends on the link as before.
 */
import type { Milliseconds } from '../sync/units.js';

/** The lane's SCTP stream id on every link (PeerJS's own channel takes 0 or 1). */
export const TIMING_CHANNEL_ID = 1000;
/** The handshake message; never passed up as data. */
const HELLO = 'tutti-timely-lane-hello/1';
const HELLO_RETRY_MS: Milliseconds = 500;
const HELLO_ATTEMPTS = 10;

export class TimingLane {
  private readonly channel: RTCDataChannel | null;
  /** The peer's end exists: a hello from it arrived. */
  private confirmed = false;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private hellosLeft = HELLO_ATTEMPTS;
  private disposed = false;

  /** `onData`: a message from the peer on this lane (untrusted, like the link's). */
  constructor(peerConnection: RTCPeerConnection, onData: (data: unknown) => void) {
    this.channel = openChannel(peerConnection);
    const channel = this.channel;
    if (channel === null) return;
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => this.sayHello();
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (event.data !== HELLO) {
        onData(event.data);
        return;
      }
      if (this.confirmed) return;
      this.confirmed = true;
      this.clearTimer();
      this.send(HELLO);
    };
    channel.onclose = () => this.clearTimer();
    if (channel.readyState === 'open') this.sayHello();
  }

  /** True while messages sent on the lane reach the peer's end. */
  get ready(): boolean {
    return this.confirmed && this.channel?.readyState === 'open';
  }

  /** Send on the lane (without waiting for the handshake); false when the channel is not open. */
  send(data: string | ArrayBuffer): boolean {
    const channel = this.channel;
    if (channel === null || channel.readyState !== 'open') return false;
    try {
      channel.send(data as string);
      return true;
    } catch {
      return false;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.channel?.close();
  }

  private sayHello(): void {
    this.clearTimer();
    if (this.disposed || this.confirmed || this.hellosLeft <= 0) return;
    this.hellosLeft--;
    this.send(HELLO);
    this.helloTimer = setTimeout(() => this.sayHello(), HELLO_RETRY_MS);
  }

  private clearTimer(): void {
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }
}

/** The negotiated channel, or null where the connection refuses it (closed, id taken). */
function openChannel(peerConnection: RTCPeerConnection): RTCDataChannel | null {
  try {
    return peerConnection.createDataChannel('tutti-timely', { negotiated: true, id: TIMING_CHANNEL_ID, ordered: false, maxRetransmits: 0 });
  } catch {
    return null;
  }
}
