import { expect, waitUntil } from '@open-wc/testing';
import { TimingLane } from '../../src/shell/timing-lane.js';

/** Two connected RTCPeerConnections in this page (host candidates only), with a first channel open. */
async function connectedPair(): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection }> {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  const first = a.createDataChannel('control');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  await new Promise((resolve) => (first.onopen = resolve));
  return { a, b };
}

describe('TimingLane', () => {
  const pcs: RTCPeerConnection[] = [];
  const lanes: TimingLane[] = [];
  afterEach(() => {
    for (const lane of lanes.splice(0)) lane.dispose();
    for (const pc of pcs.splice(0)) pc.close();
  });

  it('becomes ready once both ends have it, and delivers data but not the handshake', async () => {
    const { a, b } = await connectedPair();
    pcs.push(a, b);
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    const laneA = new TimingLane(a, (data) => atA.push(data));
    lanes.push(laneA);
    // The other end makes its lane later (its link opened later): A's first hello is lost.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const laneB = new TimingLane(b, (data) => atB.push(data));
    lanes.push(laneB);
    await waitUntil(() => laneA.ready && laneB.ready, 'both ends ready', { timeout: 10_000 });
    expect(laneA.send('{"type":"clock-ping"}')).to.equal(true);
    expect(laneB.send(new Uint8Array([1, 2, 3]).buffer)).to.equal(true);
    await waitUntil(() => atA.length === 1 && atB.length === 1, 'data delivered', { timeout: 10_000 });
    expect(atB).to.deep.equal(['{"type":"clock-ping"}']);
    expect([...new Uint8Array(atA[0] as ArrayBuffer)]).to.deep.equal([1, 2, 3]);
  });

  it('is never ready when the peer has no lane (an older peer): the caller keeps the link', async () => {
    const { a, b } = await connectedPair();
    pcs.push(a, b);
    const lane = new TimingLane(a, () => undefined);
    lanes.push(lane);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(lane.ready).to.equal(false);
  });

  it('is not ready after dispose', async () => {
    const { a, b } = await connectedPair();
    pcs.push(a, b);
    const laneA = new TimingLane(a, () => undefined);
    const laneB = new TimingLane(b, () => undefined);
    lanes.push(laneB);
    await waitUntil(() => laneA.ready && laneB.ready, 'both ends ready', { timeout: 10_000 });
    laneA.dispose();
    expect(laneA.ready).to.equal(false);
    expect(laneA.send('x')).to.equal(false);
  });
});
