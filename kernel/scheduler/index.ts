// Fixed-rate schedulers behind one interface: the runtime loop is written once against
// `Scheduler` and runs on wall time (RealTimeScheduler) or simulated time (VirtualScheduler).
// The implementations live in scheduler-*.ts; this module is the one place to import from.

export {
  DEFAULT_RATE_HZ,
  MAX_RATE_HZ,
  MIN_RATE_HZ,
  tickTargetMs,
  validateRateHz,
  type Scheduler,
  type SchedulerStats,
  type TickHandler,
  type TickInfo,
} from './core.js';
export {
  DEFAULT_EARLY_WAKE_MS,
  DEFAULT_FINISH_SPIN_MS,
  DEFAULT_LATE_THRESHOLD_MS,
  RealTimeScheduler,
  atomicsBlockingWait,
  type BlockingWait,
  type RealTimeSchedulerOptions,
  type Immediate,
} from './realtime.js';
export { VIRTUAL_TICKS_PER_YIELD, VirtualScheduler, type VirtualSchedulerOptions } from './virtual.js';
