// Start asks for the protocol and then for confirmation naming it (issue 9). The choices are the
// controller's own: its presets and bounds come in the snapshot's `limits`, never from a copy
// here; the loop checks them again (withProtocol) and refuses what is out of bounds.
import type { ProtocolChoice, ProtocolLimits } from '../protocol.js';
import { byId, inputById, setText } from './dom.js';
import { describeProtocol } from './format.js';

export class StartDialog {
  private limits: ProtocolLimits | null = null;
  private choice: ProtocolChoice | null = null;
  private readonly el = {
    dialog: byId('start-dialog'),
    choose: byId('choose'),
    confirm: byId('confirm'),
    presets: byId('presets'),
    cycles: inputById('cycles'),
    freezeS: inputById('freeze-s'),
    thawS: inputById('thaw-s'),
    error: byId('choose-error'),
    confirmText: byId('confirm-text'),
  };

  constructor(private readonly onConfirm: (choice: ProtocolChoice) => void) {
    byId('custom').addEventListener('click', () => {
      this.chooseCustom();
    });
    byId('cancel-choose').addEventListener('click', () => {
      this.close();
    });
    byId('cancel-confirm').addEventListener('click', () => {
      this.close();
    });
    byId('confirm-start').addEventListener('click', () => {
      const choice = this.choice;
      this.close();
      if (choice !== null) this.onConfirm(choice);
    });
  }

  /** Open with the limits of the latest snapshot. */
  open(limits: ProtocolLimits): void {
    this.limits = limits;
    this.el.presets.replaceChildren(
      ...Object.entries(limits.presets).map(([name, p]) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'control preset';
        b.dataset.preset = name;
        b.textContent = describeProtocol(p, name);
        b.addEventListener('click', () => {
          this.toConfirm({ preset: name }, describeProtocol(p, name));
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
    this.el.choose.hidden = false;
    this.el.confirm.hidden = true;
    this.el.dialog.hidden = false;
  }

  close(): void {
    this.choice = null;
    this.el.dialog.hidden = true;
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
    this.toConfirm(protocol, describeProtocol(protocol, null));
  }

  private toConfirm(choice: ProtocolChoice, text: string): void {
    this.choice = choice;
    setText(this.el.confirmText, `Start ${text}?`);
    this.el.choose.hidden = true;
    this.el.confirm.hidden = false;
  }
}
