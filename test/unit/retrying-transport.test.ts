import { expect } from '@open-wc/testing';
import { IdTakenError, SignalingState, type RoomTransport, type RoomTransportEvents } from '../../src/shell/room-transport.js';
import { RetryingTransport, type Schedule } from '../../src/shell/retrying-transport.js';
import { MemoryHub } from '../fakes/memory-transport.js';

/** A manual clock for the transport's timers: `advance` runs what falls due, in order. */
class ManualTimers {
  nowMs = 0;
  private tasks: Array<{ atMs: number; fn: () => void; cancelled: boolean }> = [];
  readonly schedule: Schedule = (fn, delayMs) => {
    const task = { atMs: this.nowMs + delayMs, fn, cancelled: false };
    this.tasks.push(task);
    return () => (task.cancelled = true);
  };
  pending(): number[] {
    return this.tasks.filter((t) => !t.cancelled).map((t) => t.atMs - this.nowMs).sort((a, b) => a - b);
  }
  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.tasks.filter((t) => !t.cancelled && t.atMs <= this.nowMs).sort((a, b) => a.atMs - b.atMs);
    this.tasks = this.tasks.filter((t) => !due.includes(t));
    for (const task of due) task.fn();
  }
}

/** Connection attempts that fail (offline) or succeed onto a memory hub, as a test decides. */
class Network {
  online = false;
  idTaken = false;
  attempts = 0;
  readonly hub = new MemoryHub();
  connect = async (selfId: string): Promise<RoomTransport> => {
    this.attempts++;
    const transport = this.hub.create(selfId);
    if (this.idTaken) return Object.assign(transport, { start: () => Promise.reject(new IdTakenError(selfId)) });
    if (!this.online) return Object.assign(transport, { start: () => Promise.reject(new Error('network is down')) });
    return transport;
  };
}

/** Lets every settled promise's handlers run (one macrotask: no wall-clock dependence). */
const flushPromises = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function recorder(): { events: RoomTransportEvents; states: SignalingState[]; next(state: SignalingState): Promise<void> } {
  const states: SignalingState[] = [];
  const waiters: Array<{ state: SignalingState; resolve: () => void }> = [];
  return {
    states,
    events: {
      linkOpen: () => {},
      linkClose: () => {},
      data: () => {},
      signaling: (state) => {
        states.push(state);
        for (const w of waiters.filter((x) => x.state === state)) w.resolve();
      },
    },
    next: (state) => new Promise((resolve) => waiters.push({ state, resolve })),
  };
}

describe('RetryingTransport', () => {
  let network: Network;
  let timers: ManualTimers;
  let networkBack: () => void;
  let transport: RetryingTransport;

  beforeEach(() => {
    network = new Network();
    timers = new ManualTimers();
    transport = new RetryingTransport('tutti-r-self', {
      connect: network.connect,
      retryMinMs: 1000,
      retryMaxMs: 4000,
      schedule: timers.schedule,
      onNetworkBack: (retry) => {
        networkBack = retry;
        return () => (networkBack = () => {});
      },
    });
  });
  afterEach(() => transport.dispose());

  it('starts alone when the network is down, reports unreachable and backs off', async () => {
    const log = recorder();
    transport.setListener(log.events);
    await transport.start();
    expect(log.states).to.deep.equal([SignalingState.unreachable]);
    expect(transport.lastFailure).to.equal('network is down');
    expect(transport.hasLink('anyone')).to.equal(false);
    expect(transport.send('anyone', 'x')).to.equal(false);
    let listingFailed = false;
    await transport.listPeers().catch(() => (listingFailed = true));
    expect(listingFailed).to.equal(true);
    expect(timers.pending()).to.deep.equal([1000]);
    timers.advance(1000);
    await flushPromises();
    expect(network.attempts).to.equal(2);
    expect(timers.pending()).to.deep.equal([2000]);
    timers.advance(2000);
    await flushPromises();
    timers.advance(4000);
    await flushPromises();
    expect(network.attempts).to.equal(4);
    expect(timers.pending()).to.deep.equal([4000], 'capped at retryMaxMs');
  });

  it('connects when the network returns, at once on the online event', async () => {
    const log = recorder();
    transport.setListener(log.events);
    await transport.start();
    network.online = true;
    const opened = log.next(SignalingState.open);
    networkBack();
    await opened;
    expect(transport.lastFailure).to.equal(null);
    expect(timers.pending()).to.deep.equal([]);
    const other = network.hub.create('tutti-r-other');
    await other.start();
    expect(await transport.listPeers()).to.include.members(['tutti-r-self', 'tutti-r-other']);
  });

  it('connects by its backoff timer too', async () => {
    const log = recorder();
    transport.setListener(log.events);
    await transport.start();
    network.online = true;
    const opened = log.next(SignalingState.open);
    timers.advance(1000);
    await opened;
    expect(network.attempts).to.equal(2);
  });

  it('rejects start with IdTakenError when the first attempt finds the id taken', async () => {
    network.online = true;
    network.idTaken = true;
    let error: unknown = null;
    await transport.start().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(IdTakenError);
    expect(timers.pending()).to.deep.equal([]);
  });

  it('keeps retrying when, after starting alone, the id is found taken (a lingering registration)', async () => {
    await transport.start();
    network.online = true;
    network.idTaken = true;
    timers.advance(1000);
    await flushPromises();
    expect(network.attempts).to.equal(2);
    expect(transport.lastFailure).to.match(/still holds this speaker's previous connection/);
    expect(timers.pending()).to.deep.equal([2000]);
    network.idTaken = false;
    const log = recorder();
    transport.setListener(log.events);
    const opened = log.next(SignalingState.open);
    timers.advance(2000);
    await opened;
  });

  it('resolves start when connected first time, and reports closed on dispose', async () => {
    network.online = true;
    const log = recorder();
    transport.setListener(log.events);
    await transport.start();
    expect(log.states).to.deep.equal([SignalingState.open]);
    transport.dispose();
    expect(log.states.at(-1)).to.equal(SignalingState.closed);
    expect(network.hub.transports.has('tutti-r-self')).to.equal(false);
  });
});
