/** Flags for every headless Chromium the tests and benchmarks start. */
export declare const CHROMIUM_FLAGS: readonly string[];
/** Debian's Chromium unless CHROME_PATH says otherwise. */
export declare const CHROME_PATH: string;
