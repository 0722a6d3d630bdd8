/**
 * Routes the engine's bus to the output either as is, or as one channel of it on every output
 * channel (one half of a stereo pair: the left speaker plays the track's left channel on all its
 * outputs). A mono track is the same on both sides, so each half of a pair plays all of it.
 */
import type { StereoChannel } from '../sync/group-state.js';

export class ChannelPicker {
  private readonly stereo: GainNode;
  private readonly splitter: ChannelSplitterNode;
  private readonly picks: readonly GainNode[];
  private channel: StereoChannel = 'both';

  /** Connects `source` to `destination` (both channels) until {@link set} says otherwise. */
  constructor(context: BaseAudioContext, private readonly source: AudioNode, private readonly destination: AudioNode) {
    // Exactly two channels, mono up-mixed to both, before splitting.
    this.stereo = new GainNode(context, { channelCount: 2, channelCountMode: 'explicit', channelInterpretation: 'speakers' });
    this.splitter = new ChannelSplitterNode(context, { numberOfOutputs: 2 });
    this.picks = [0, 1].map((index) => {
      const pick = new GainNode(context, { channelCount: 1, channelCountMode: 'explicit' });
      this.splitter.connect(pick, index);
      return pick;
    });
    this.stereo.connect(this.splitter);
    source.connect(destination);
  }

  get current(): StereoChannel {
    return this.channel;
  }

  /** Switch what reaches the destination (takes effect within one render quantum). */
  set(channel: StereoChannel): void {
    if (channel === this.channel) return;
    this.disconnectPath();
    this.channel = channel;
    if (channel === 'both') {
      this.source.connect(this.destination);
      return;
    }
    this.source.connect(this.stereo);
    this.picks[channel === 'left' ? 0 : 1]!.connect(this.destination);
  }

  dispose(): void {
    this.disconnectPath();
    this.stereo.disconnect();
    this.splitter.disconnect();
  }

  private disconnectPath(): void {
    if (this.channel === 'both') this.source.disconnect(this.destination);
    else {
      this.source.disconnect(this.stereo);
      this.picks[this.channel === 'left' ? 0 : 1]!.disconnect(this.destination);
    }
  }
}
