import { expect } from '@open-wc/testing';
import { installMode, isIosSafari } from '../../src/sync/install-hint.js';

const UA = {
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  iphoneChrome: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
  ipadOsSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  androidChrome: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
} as const;

describe('install hint', () => {
  it('recognises Safari on iPhone and iPadOS, but not other iOS browsers or desktop Safari', () => {
    expect(isIosSafari(UA.iphoneSafari, 5)).to.equal(true);
    expect(isIosSafari(UA.ipadOsSafari, 5)).to.equal(true);
    expect(isIosSafari(UA.iphoneChrome, 5)).to.equal(false);
    expect(isIosSafari(UA.macSafari, 0)).to.equal(false);
    expect(isIosSafari(UA.androidChrome, 5)).to.equal(false);
  });

  it('prefers the browser prompt, hints on iOS Safari, and shows nothing once installed', () => {
    const facts = { standalone: false, promptAvailable: false, userAgent: UA.androidChrome, maxTouchPoints: 5 };
    expect(installMode(facts)).to.equal('none');
    expect(installMode({ ...facts, promptAvailable: true })).to.equal('prompt');
    expect(installMode({ ...facts, userAgent: UA.iphoneSafari })).to.equal('ios-hint');
    expect(installMode({ ...facts, userAgent: UA.iphoneSafari, standalone: true })).to.equal('none');
  });
});
