export * from './intel-hex.js';
export * from './firmware.js';
export * from './emulated-uno.js';
export * from './wiring.js';
export * from './start.js';
