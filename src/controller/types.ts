// Types shared by the pure control step, its interlock table and the runtime.

export type Phase = 'Idle' | 'SelfTest' | 'Ready' | 'Freezing' | 'Thawing' | 'Complete' | 'Stopped' | 'Fault';
export const PHASES: readonly Phase[] = ['Idle', 'SelfTest', 'Ready', 'Freezing', 'Thawing', 'Complete', 'Stopped', 'Fault'];

/** Phases in which a treatment is under way (the probe may be in the patient and cold). */
export const TREATING_PHASES: readonly Phase[] = ['SelfTest', 'Ready', 'Freezing', 'Thawing'];

export const INTERLOCK_IDS = [
  'TIP_BELOW_PHYSICAL_FLOOR',
  'TIP_BELOW_ABSOLUTE_LIMIT',
  'THERMOCOUPLE_FAULT',
  'SENSOR_STALE',
  'SENSOR_STUCK',
  'SUPPLY_PRESSURE_LOW',
  'SUPPLY_PRESSURE_HIGH',
  'RETURN_LINE_BLOCKED',
  'INSUFFICIENT_COOLING',
  'VALVE_FAILURE',
  'FREEZE_TIME_LIMIT',
  'OPERATOR_STOP',
  'EMERGENCY_STOP',
  'FOOTSWITCH_RELEASED',
  'PROBE_DISCONNECTED',
  'LOOP_OVERRUN',
  'HAL_FAULT',
  'CALIBRATION_INVALID',
  'PRESSURE_SENSOR_FAULT',
  'NO_FLOW_SEEN',
] as const;
export type InterlockId = (typeof INTERLOCK_IDS)[number];

/** IEC 60601-1-8 alarm priorities (shared/domain.md section 6). */
export type AlarmPriority = 'high' | 'medium' | 'low';

/** Sub-steps inside a phase: the self-test sequence, and the freeze's close-and-verify tail. */
export type SubStep =
  | 'none'
  | 'selftest-settle'
  | 'selftest-safety-only'
  | 'selftest-pause'
  | 'selftest-supply-only'
  | 'freeze-open'
  | 'freeze-verify-closed';

export type OperatorInput = 'start' | 'stop' | 'acknowledge' | 'new-site' | 'footswitch-down' | 'footswitch-up' | 'estop-pressed' | 'estop-released';

export type ControllerEvent =
  | { readonly kind: 'phase'; readonly atMs: number; readonly from: Phase; readonly to: Phase; readonly cycle: number }
  | {
      readonly kind: 'trip';
      readonly atMs: number;
      readonly id: InterlockId;
      readonly priority: AlarmPriority;
      readonly latched: boolean;
      readonly detail: string;
      readonly hint: string;
    }
  | { readonly kind: 'cleared'; readonly atMs: number; readonly id: InterlockId }
  | { readonly kind: 'acknowledge'; readonly atMs: number; readonly silenced: readonly InterlockId[] }
  | { readonly kind: 'input'; readonly atMs: number; readonly input: OperatorInput }
  | { readonly kind: 'refused'; readonly atMs: number; readonly input: OperatorInput; readonly reason: string }
  | { readonly kind: 'safe-to-withdraw'; readonly atMs: number; readonly safe: boolean }
  /** The tip reading is no longer trusted to say the probe has thawed (src/controller/withdrawal.ts). */
  | { readonly kind: 'tip-unknown'; readonly atMs: number; readonly reason: string };
