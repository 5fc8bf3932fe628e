// Start asks for the target nerve and side, then the protocol, then for confirmation naming both
// (issues 9 and 10). The choices are the controller's own: the presets and bounds come in the
// snapshot's `limits`, the nerves in the server's `catalog`, never from a copy here; the loop
// checks the protocol again (withProtocol) and the server the target (TreatmentTargetSchema).
// A nerve with motor fibres is named in a warning on the confirmation, with where its motor fibres
// run: the one serious harm reported in cryoneurolysis is a motor nerve frozen by mistake. The
// confirmation also names the r(-20 C) target radius the freezes will be judged against (issue 11),
// from the snapshot's `startTargets`: it depends on the nerve and the protocol chosen.
import type { TreatmentTarget } from '../../records/types.js';
import type { ProtocolChoice, ProtocolLimits, StartTargets } from '../protocol.js';
import type { NerveChoice } from '../wire.js';
import { byId, buttonById, inputById, setText } from './dom.js';
import { describeProtocol, formatStartTarget, startTargetMm } from './format.js';
import type { ProtocolText } from './format.js';
import { TargetPicker } from './target-picker.js';

/** What CONFIRM START sends: the protocol, and the target (null: none recorded). */
export interface StartChoice {
  readonly protocol: ProtocolChoice;
  readonly target: TreatmentTarget | null;
}

export class StartDialog {
  private limits: ProtocolLimits | null = null;
  private startTargets: StartTargets | null = null;
  private choice: ProtocolChoice | null = null;
  /** The target step's outcome: a nerve and side, or none recorded (NOT LISTED). */
  private target: { nerve: NerveChoice; target: TreatmentTarget } | null = null;
  private defaultTarget: TreatmentTarget | null = null;
  private readonly picker = new TargetPicker();
  private readonly el = {
    dialog: byId('start-dialog'),
    targetStep: byId('target-step'),
    choose: byId('choose'),
    confirm: byId('confirm'),
    presets: byId('presets'),
    cycles: inputById('cycles'),
    freezeS: inputById('freeze-s'),
    thawS: inputById('thaw-s'),
    error: byId('choose-error'),
    confirmText: byId('confirm-text'),
    confirmTarget: byId('confirm-target'),
    confirmIceTarget: byId('confirm-ice-target'),
    motorWarning: byId('motor-warning'),
    chosenTarget: byId('chosen-target'),
  };

  constructor(private readonly onConfirm: (choice: StartChoice) => void) {
    buttonById('target-next').addEventListener('click', () => {
      const chosen = this.picker.chosen();
      if (chosen !== null) this.toProtocol(chosen);
    });
    byId('target-none').addEventListener('click', () => {
      this.toProtocol(null);
    });
    byId('custom').addEventListener('click', () => {
      this.chooseCustom();
    });
    for (const id of ['cancel-target', 'cancel-choose', 'cancel-confirm']) {
      byId(id).addEventListener('click', () => {
        this.close();
      });
    }
    byId('confirm-start').addEventListener('click', () => {
      const choice = this.choice;
      const target = this.target?.target ?? null;
      this.close();
      if (choice !== null) this.onConfirm({ protocol: choice, target });
    });
  }

  /** The catalog from the server (on connect). */
  setCatalog(nerves: readonly NerveChoice[], defaultTarget: TreatmentTarget | null): void {
    this.defaultTarget = defaultTarget;
    this.picker.setCatalog(nerves, defaultTarget);
  }

  /** Open with the limits and start targets of the latest snapshot, at the target step (the run's
   * default chosen). */
  open(limits: ProtocolLimits, startTargets: StartTargets): void {
    this.limits = limits;
    this.startTargets = startTargets;
    this.choice = null;
    this.target = null;
    this.picker.reset(this.defaultTarget);
    this.el.presets.replaceChildren(
      ...Object.entries(limits.presets).map(([name, p]) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'control preset';
        b.dataset.preset = name;
        b.textContent = describeProtocol(p, name);
        b.addEventListener('click', () => {
          this.toConfirm({ preset: name }, p, describeProtocol(p, name));
        });
        return b;
      }),
    );
    const bound = (input: HTMLInputElement, range: { min: number; max: number }): void => {
      input.min = String(range.min);
      input.max = String(range.max);
      if (input.value === '') input.value = String(range.min);
    };
    bound(this.el.cycles, limits.cycles);
    bound(this.el.freezeS, limits.freezeS);
    bound(this.el.thawS, limits.thawS);
    setText(this.el.error, '');
    // Without a catalog (none received yet) the target cannot be chosen: straight to the protocol,
    // and the confirmation says no target is recorded.
    this.show(this.picker.hasCatalog ? 'target' : 'choose');
    if (!this.picker.hasCatalog) setText(this.el.chosenTarget, targetText(null));
    this.el.dialog.hidden = false;
  }

  close(): void {
    this.choice = null;
    this.target = null;
    this.el.dialog.hidden = true;
  }

  private show(step: 'target' | 'choose' | 'confirm'): void {
    this.el.targetStep.hidden = step !== 'target';
    this.el.choose.hidden = step !== 'choose';
    this.el.confirm.hidden = step !== 'confirm';
  }

  private toProtocol(target: { nerve: NerveChoice; target: TreatmentTarget } | null): void {
    this.target = target;
    setText(this.el.chosenTarget, targetText(target));
    this.show('choose');
  }

  private chooseCustom(): void {
    const limits = this.limits;
    if (limits === null) return;
    const cycles = Number(this.el.cycles.value);
    const freezeS = Number(this.el.freezeS.value);
    const thawS = Number(this.el.thawS.value);
    const outOfBounds = (
      [
        ['cycles', cycles, limits.cycles],
        ['freeze s', freezeS, limits.freezeS],
        ['thaw s', thawS, limits.thawS],
      ] as const
    ).find(([, v, r]) => !Number.isFinite(v) || v < r.min || v > r.max || (r === limits.cycles && !Number.isInteger(v)));
    if (outOfBounds !== undefined) {
      const [name, v, r] = outOfBounds;
      setText(this.el.error, `${name} ${String(v)} is outside ${r.min}-${r.max}`);
      return;
    }
    const protocol = { cycles, freezeS, thawS };
    this.toConfirm(protocol, protocol, describeProtocol(protocol, null));
  }

  private toConfirm(choice: ProtocolChoice, figures: ProtocolText, text: string): void {
    this.choice = choice;
    setText(this.el.confirmText, `Start ${text}?`);
    setText(this.el.confirmTarget, targetText(this.target));
    const targets = this.startTargets;
    setText(this.el.confirmIceTarget, formatStartTarget(targets === null ? null : startTargetMm(targets, figures, this.target?.target.nerveId ?? null)));
    const nerve = this.target?.nerve ?? null;
    const motor = nerve !== null && nerve.motor;
    this.el.motorWarning.hidden = !motor;
    setText(this.el.motorWarning, motor ? `MOTOR NERVE: ${nerve.name} carries motor fibres: ${nerve.motorNote}. Check the probe's position before freezing.` : '');
    this.show('confirm');
  }
}

/** `Target: Sural nerve, left`, or that none is recorded. */
function targetText(t: { nerve: NerveChoice; target: TreatmentTarget } | null): string {
  return t === null ? 'Target: none recorded' : `Target: ${t.nerve.name}, ${t.target.side}`;
}
