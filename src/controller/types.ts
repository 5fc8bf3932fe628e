// Types shared by the pure control step, its interlock table and the runtime.
import type { FreezeVerdict } from './ice-ball.js';
import type { InterlockId } from './interlocks.js';

export type Phase = 'Idle' | 'SelfTest' | 'Ready' | 'Freezing' | 'Thawing' | 'Complete' | 'Stopped' | 'Fault';
export const PHASES: readonly Phase[] = ['Idle', 'SelfTest', 'Ready', 'Freezing', 'Thawing', 'Complete', 'Stopped', 'Fault'];

/** Phases in which a treatment is under way (the probe may be in the patient and cold). */
export const TREATING_PHASES: readonly Phase[] = ['SelfTest', 'Ready', 'Freezing', 'Thawing'];

/** The interlock ids are the keys of the interlock table (src/controller/interlocks.ts). */
export type { InterlockId };

/** IEC 60601-1-8 alarm priorities (shared/domain.md section 6). */
export type AlarmPriority = 'high' | 'medium' | 'low';

/** Why an audio pause ended: its time ran out, a new high-priority condition began, or the
 * operator pressed audio pause again. */
export type AudioPauseEnd = 'expired' | 'high-priority' | 'operator';

/** Sub-steps inside a phase: the self-test sequence, and the freeze's close-and-verify tail. */
export type SubStep =
  | 'none'
  | 'selftest-settle'
  | 'selftest-safety-only'
  | 'selftest-pause'
  | 'selftest-supply-only'
  | 'freeze-open'
  | 'freeze-verify-closed';

export type OperatorInput = 'start' | 'stop' | 'acknowledge' | 'audio-pause' | 'new-site' | 'footswitch-down' | 'footswitch-up' | 'estop-pressed' | 'estop-released';

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
  /** An acknowledge ended the latched visual signals of conditions that had already ended
   * (IEC 60601-1-8 alarm reset); only when there were some. */
  | { readonly kind: 'alarm-reset'; readonly atMs: number; readonly reset: readonly InterlockId[] }
  /** Audio pause began (every audible signal silent until `untilMs`) or ended, and why. */
  | { readonly kind: 'audio-pause'; readonly atMs: number; readonly action: 'start'; readonly untilMs: number }
  | { readonly kind: 'audio-pause'; readonly atMs: number; readonly action: 'end'; readonly reason: AudioPauseEnd }
  | { readonly kind: 'input'; readonly atMs: number; readonly input: OperatorInput }
  | { readonly kind: 'refused'; readonly atMs: number; readonly input: OperatorInput; readonly reason: string }
  | { readonly kind: 'safe-to-withdraw'; readonly atMs: number; readonly safe: boolean }
  /** The tip reading is no longer trusted to say the probe has thawed (src/controller/withdrawal.ts). */
  | { readonly kind: 'tip-unknown'; readonly atMs: number; readonly reason: string }
  /** A freeze ended (its supply closed) and was judged against the target radius (issue 11). */
  | { readonly kind: 'freeze-verdict'; readonly atMs: number; readonly verdict: FreezeVerdict };
