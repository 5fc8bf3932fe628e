// The V8 flags `cryo` runs with: in its bin's shebang (src/cli/main.ts), in `npm start`
// (package.json) and in the console bench, which launches it as the device would
// (tests/node-flags.test.ts keeps the three the same). A flag that sizes the heap must be given
// when the process starts: v8.setFlagsFromString does not resize a heap that exists.

/**
 * Young generation (semi-space) at most 2 MB instead of V8's 16 MB. The loop allocates steadily,
 * which grows both isolates' (the loop's and the console worker's, which inherits the flag) new
 * space to the largest size V8 allows, 16 MB each. Measured on `cryo run` with the page, 15 s:
 * the loop's scavenges 0.26 ms mean, 1.2 ms max at 2 MB against 1.4 ms and 5.8 ms at 16 MB (more
 * of them, each shorter: they copy only the live objects, and a tick's garbage dies young); RSS
 * about 20 MB lower for the console with its page.
 */
export const MAX_SEMI_SPACE_MB = 2;

export const CRYO_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${MAX_SEMI_SPACE_MB}`];
