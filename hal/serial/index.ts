// Public surface of the thermocouple front-end back-end (docs/serial-protocol.md).

export { SerialFrontend, type SerialFrontendOptions } from './frontend.js';
export type { SerialFrontendStats } from './link-stats.js';
export { DEFAULT_FRONTEND_LIMITS, resolveFrontendLimits, type FrontendLimits } from './limits.js';
export { findPort, serialPortFactory, type FindPortResult, type PortFactory, type PortQuery } from './ports.js';
export { LineFramer } from './framer.js';
export {
  MAX_LINE_BYTES, PROTOCOL_VERSION, decodeLine, encodeLine, tcFaultOf, faultBitsOf,
  type Decoded, type DecodeError, type WireThermocoupleType,
} from './protocol.js';
export { ManualTimers, realTimers, type Timers } from '../../kernel/timers.js';
