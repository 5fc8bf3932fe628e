// Draws a snapshot: phase, cycle, time left, tip, pressures, withdrawal, inputs, loop health and
// the alarm list. Alarm elements are kept by condition id so their flash is not restarted at
// every update (a flash restarted every 100 ms would never go dark).
import type { AlarmConditionView, FreezeVerdict, Snapshot } from '../protocol.js';
import { applyAlarmSignal, byPriority } from './alarm-signal.js';
import { byId, setText } from './dom.js';
import { formatBar, formatClock, formatCycle, formatIceBall, formatLoop, formatTimeLeft, formatTipC, formatVerdict } from './format.js';

/** What the page says of a condition's audible signal; nothing while it sounds or has stopped. */
const AUDIBLE_TEXT: Readonly<Record<AlarmConditionView['audible'], string>> = { on: '', off: '', acknowledged: 'silenced', paused: 'audio paused' };

export class SnapshotView {
  private readonly alarmEls = new Map<string, HTMLElement>();
  /** The verdict list last drawn (the controller replaces it when a freeze ends). */
  private drawnVerdicts: readonly FreezeVerdict[] | null = null;
  private readonly els = {
    phase: byId('phase'),
    cycle: byId('cycle'),
    timeLeft: byId('time-left'),
    tip: byId('tip'),
    tipFault: byId('tip-fault'),
    withdrawal: byId('withdrawal'),
    supply: byId('supply'),
    ret: byId('return'),
    pressureFault: byId('pressure-fault'),
    estop: byId('estop'),
    footswitch: byId('footswitch'),
    loop: byId('loop'),
    event: byId('event'),
    alarms: byId('alarms'),
    pause: byId('audio-pause'),
    iceLethal: byId('ice-lethal'),
    iceTarget: byId('ice-target'),
    iceOthers: byId('ice-others'),
    verdicts: byId('verdicts'),
  };

  draw(s: Snapshot): void {
    const e = this.els;
    setText(e.phase, s.phase.toUpperCase());
    e.phase.dataset.phase = s.phase;
    setText(e.cycle, formatCycle(s));
    setText(e.timeLeft, formatTimeLeft(s.secondsLeft));
    setText(e.tip, formatTipC(s.tipC));
    setText(e.tipFault, s.tipFault ?? '');
    setText(e.withdrawal, s.withdrawal.text);
    e.withdrawal.classList.toggle('safe', s.withdrawal.safe);
    setText(e.supply, formatBar(s.supplyBarGauge, 'bar g'));
    setText(e.ret, formatBar(s.returnBarAbs, 'bar a'));
    setText(e.pressureFault, s.pressureFault ?? '');
    setText(e.estop, s.estop ? 'E-STOP PRESSED' : 'E-stop released');
    e.estop.classList.toggle('bad', s.estop);
    setText(e.footswitch, s.footswitch ? 'Footswitch pressed' : 'Footswitch released');
    e.footswitch.classList.toggle('on', s.footswitch);
    setText(e.loop, formatLoop(s.loop));
    // The controller's latest word: a refused start, a trip, a phase change.
    setText(e.event, s.events.at(-1)?.text ?? '');
    setText(e.pause, s.alarms.audioPausedMs === null ? 'AUDIO PAUSE' : `AUDIO PAUSED ${formatClock(s.alarms.audioPausedMs / 1000)}`);
    e.pause.classList.toggle('paused', s.alarms.audioPausedMs !== null);
    const ice = formatIceBall(s.iceBall);
    setText(e.iceLethal, ice.lethal);
    setText(e.iceTarget, ice.target);
    setText(e.iceOthers, ice.others);
    this.drawVerdicts(s.freezeVerdicts);
    this.drawAlarms(s.alarms.conditions);
  }

  private drawVerdicts(verdicts: readonly FreezeVerdict[]): void {
    if (verdicts === this.drawnVerdicts) return;
    this.drawnVerdicts = verdicts;
    this.els.verdicts.replaceChildren(
      ...verdicts.map((v) => {
        const el = document.createElement('div');
        el.className = v.effective ? 'verdict' : 'verdict ineffective';
        el.dataset.cycle = String(v.cycle);
        const { text, title } = formatVerdict(v);
        el.textContent = text;
        el.title = title;
        return el;
      }),
    );
  }

  private drawAlarms(conditions: readonly AlarmConditionView[]): void {
    // The controller's signal states (IEC 60601-1-8): a condition whose visual signal is off (it
    // ended, unlatched) is not shown; a latched one keeps its colour and flash until acknowledged.
    const shown = conditions.filter((c) => c.visual !== 'off').sort(byPriority);
    const keep = new Set(shown.map((c) => c.id));
    for (const [id, el] of this.alarmEls) {
      if (!keep.has(id)) {
        el.remove();
        this.alarmEls.delete(id);
      }
    }
    for (const c of shown) {
      let el = this.alarmEls.get(c.id);
      if (el === undefined || el.dataset.priority !== c.priority) {
        el?.remove();
        el = document.createElement('div');
        el.className = 'alarm';
        el.dataset.id = c.id;
        el.dataset.priority = c.priority;
        applyAlarmSignal(el, c.priority);
        this.alarmEls.set(c.id, el);
      }
      const state = [c.active ? '' : 'ended', c.visual === 'latched' ? 'latched: acknowledge' : '', AUDIBLE_TEXT[c.audible]].filter((t) => t !== '').join(', ');
      setText(el, `${c.priority.toUpperCase()} ${c.id}: ${c.detail}${state === '' ? '' : ` (${state})`} — ${c.hint}`);
    }
    // Moving an element restarts its animation: reorder only when the order changed.
    const wanted = shown.map((c) => this.alarmEls.get(c.id));
    const current = Array.from(this.els.alarms.children);
    if (wanted.length !== current.length || wanted.some((el, i) => el !== current[i])) {
      this.els.alarms.replaceChildren(...wanted.filter((el) => el !== undefined));
    }
  }
}
