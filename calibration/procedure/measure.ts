// Measuring one bath: wait until the raw reading is stable, showing live progress, then take the
// mean of the stable window. Faulted or stale samples are never averaged, and a sample read twice
// (the sampler polled faster than the front-end converted) is counted once.
import type { TipSample } from '../../hal/contract.js';
import { StabilityJudge } from '../stability.js';
import type { StabilityReport } from '../stability.js';
import type { BathSetup } from './baths.js';
import type { CalibrationPrompt, MeasuredPoint, ProcedureLimits, TipSampler } from './types.js';

/** Live status once a second of sample time: readable on a terminal, cheap in virtual time. */
export const PROGRESS_INTERVAL_MS = 1_000;

export type BathResult = { readonly kind: 'measured'; readonly point: MeasuredPoint } | { readonly kind: 'abandoned'; readonly reason: string };

/**
 * 250 ms: a sample older than this, read at `nowMs`, comes from a front-end that has stopped
 * converting. That is 12 periods of the 50 Hz front-end (docs/serial-protocol.md), so the jitter
 * of a loaded host never trips it, and it is half the 500 ms link-silence limit
 * (hal/serial/limits.ts), so a channel that stops while the link stays alive is still caught.
 */
export const MAX_SAMPLE_AGE_MS = 250;

/** Why a sample read at `nowMs` cannot be used, or null. Its age catches a front-end that stopped converting. */
export function sampleProblem(sample: TipSample, nowMs: number): string | null {
  if (sample.fault !== null) return `thermocouple fault '${sample.fault}'`;
  if (!Number.isFinite(sample.tipC)) return 'no valid reading (not a number)';
  const ageMs = nowMs - sample.atMs;
  if (!(ageMs <= MAX_SAMPLE_AGE_MS)) {
    const age = Number.isFinite(ageMs) ? `${Math.round(ageMs)} ms old` : 'never updated';
    return `stale reading (${age}, limit ${MAX_SAMPLE_AGE_MS} ms: the front-end has stopped converting)`;
  }
  return null;
}

/** A good sample already seen (same or earlier atMs): the sampler polled before the next conversion. */
export function isRepeat(sample: TipSample, lastGoodAtMs: number | null): boolean {
  return lastGoodAtMs !== null && !(sample.atMs > lastGoodAtMs);
}

/** The probe is in the bath (the engineer said so): wait for stability, or give up. */
export async function measureBath(prompt: CalibrationPrompt, sampler: TipSampler, setup: BathSetup, limits: ProcedureLimits): Promise<BathResult> {
  const judge = new StabilityJudge(limits.stability);
  const startMs = sampler.nowMs();
  // A sampler whose clock does not move would loop for ever: bound the samples too.
  const maxSamples = Math.ceil(limits.bathTimeoutMs / sampler.periodMs) * 2 + 10;
  let lastGoodAtMs: number | null = null;
  let faultSinceMs: number | null = null;
  let nextProgressMs = startMs;
  let report: StabilityReport = judge.report();
  for (let n = 0; n < maxSamples; n++) {
    const sample = await sampler.next();
    const nowMs = sampler.nowMs();
    const elapsedMs = nowMs - startMs;
    const problem = sampleProblem(sample, nowMs);
    if (problem !== null) {
      if (faultSinceMs === null) {
        faultSinceMs = nowMs;
        judge.reset();
        report = judge.report();
        prompt.show(`${setup.label}: ${problem} at ${clock(elapsedMs)}: reading rejected, stability window restarted. Check the probe plug and cable.`);
      }
      if (nowMs - faultSinceMs >= limits.faultAbandonMs) {
        return abandon(`${problem} for ${clock(nowMs - faultSinceMs)}: fix the probe or its connection, then measure this bath again`);
      }
    } else if (!isRepeat(sample, lastGoodAtMs)) {
      // A repeat has nothing new to average; its age is judged above, so a front-end that stopped goes stale.
      if (faultSinceMs !== null) prompt.show(`${setup.label}: readings are good again; waiting for a full stable window.`);
      faultSinceMs = null;
      lastGoodAtMs = sample.atMs;
      judge.add(sample.atMs, sample.tipC);
      report = judge.report();
      if (report.stable) {
        const point = pointFrom(setup, report);
        prompt.show(
          `${setup.label}: stable after ${clock(elapsedMs)}: raw mean ${point.rawC.toFixed(3)} C over ${report.samples} samples, ` +
            `drift ${signed(report.driftCPerMin, 3)} C/min, noise ${report.noiseSdC.toFixed(3)} C; reference ${setup.referenceC.toFixed(2)} C`,
        );
        return { kind: 'measured', point };
      }
    }
    if (elapsedMs >= limits.bathTimeoutMs) {
      return abandon(`not stable within ${clock(limits.bathTimeoutMs)} (${whyNotStable(report, limits)}): stir the bath, check the probe's depth, then measure it again`);
    }
    if (nowMs >= nextProgressMs) {
      nextProgressMs = nowMs + PROGRESS_INTERVAL_MS;
      prompt.progress(progressLine(setup, sample, report, elapsedMs, limits, faultSinceMs !== null));
    }
  }
  return abandon(`the sampler delivered ${maxSamples} samples without its clock passing ${clock(limits.bathTimeoutMs)}: a sampler fault`);
}

function abandon(reason: string): BathResult {
  return { kind: 'abandoned', reason };
}

function pointFrom(setup: BathSetup, report: StabilityReport): MeasuredPoint {
  return {
    bath: setup.bath,
    label: setup.label,
    referenceC: setup.referenceC,
    rawC: report.meanC,
    driftCPerMin: report.driftCPerMin,
    noiseSdC: report.noiseSdC,
    samples: report.samples,
    referenceThermometerId: setup.referenceThermometerId,
  };
}

function progressLine(setup: BathSetup, sample: TipSample, r: StabilityReport, elapsedMs: number, limits: ProcedureLimits, faulted: boolean): string {
  const s = limits.stability;
  const reading = faulted ? 'FAULT' : `${sample.tipC.toFixed(2)} C`;
  return (
    `${setup.label}: raw ${reading} | drift ${maybe(r.driftCPerMin, 3, true)} C/min (max ${s.maxDriftCPerMin}) | ` +
    `noise ${maybe(r.noiseSdC, 3, false)} C (max ${s.maxNoiseSdC}) | window ${Math.floor(r.windowFilled * 100)} %` +
    `${r.flat ? ' | reading not changing: stuck sensor?' : ''} | ${clock(elapsedMs)} of ${clock(limits.bathTimeoutMs)}`
  );
}

function whyNotStable(r: StabilityReport, limits: ProcedureLimits): string {
  const s = limits.stability;
  if (r.samples === 0) return 'no good readings';
  if (r.windowFilled < 1) return `no full ${s.windowMs / 1000} s window of good readings`;
  if (r.flat) return 'the reading did not change: a stuck sensor or front-end';
  const reasons: string[] = [];
  if (!(Math.abs(r.driftCPerMin) <= s.maxDriftCPerMin)) reasons.push(`drift ${signed(r.driftCPerMin, 3)} C/min above ${s.maxDriftCPerMin}`);
  if (!(r.noiseSdC <= s.maxNoiseSdC)) reasons.push(`noise ${r.noiseSdC.toFixed(3)} C above ${s.maxNoiseSdC}`);
  return reasons.join(', ');
}

/** m:ss */
export function clock(ms: number): string {
  const totalS = Math.floor(ms / 1000);
  return `${Math.floor(totalS / 60)}:${String(totalS % 60).padStart(2, '0')}`;
}

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const maybe = (x: number, digits: number, sign: boolean): string => (Number.isFinite(x) ? (sign ? signed(x, digits) : x.toFixed(digits)) : '-');
