// The start dialog's first step (issue 10): the target nerve and side, from the catalog the server
// sends on connect (src/records/nerves.ts via the `catalog` message), never a copy kept here. The
// nerves are sorted by name; a motor nerve is marked on its button, and the confirmation warns
// (start-dialog.ts). The run's `--target` comes preselected, so what the confirmation names is
// what the record keeps.
import type { TreatmentTarget } from '../../records/types.js';
import type { NerveChoice } from '../wire.js';
import { byId, buttonById } from './dom.js';
import { shortNerveName } from './format.js';

export type Side = TreatmentTarget['side'];

export class TargetPicker {
  private nerves: readonly NerveChoice[] = [];
  private nerveId: string | null = null;
  private side: Side | null = null;
  private readonly el = {
    list: byId('nerves'),
    left: buttonById('side-left'),
    right: buttonById('side-right'),
    next: buttonById('target-next'),
  };

  constructor() {
    this.el.left.addEventListener('click', () => {
      this.side = 'left';
      this.draw();
    });
    this.el.right.addEventListener('click', () => {
      this.side = 'right';
      this.draw();
    });
  }

  /** The catalog and the run's default target (both from the server). */
  setCatalog(nerves: readonly NerveChoice[], defaultTarget: TreatmentTarget | null): void {
    this.nerves = [...nerves].sort((a, b) => a.name.localeCompare(b.name, 'en'));
    this.reset(defaultTarget);
  }

  /** Back to `target` (the run's default), or nothing chosen. */
  reset(target: TreatmentTarget | null): void {
    const known = target !== null && this.nerves.some((n) => n.id === target.nerveId);
    this.nerveId = known ? target.nerveId : null;
    this.side = known ? target.side : null;
    this.el.list.replaceChildren(
      ...this.nerves.map((n) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'control nerve';
        b.dataset.nerve = n.id;
        b.title = n.territory;
        const name = document.createElement('span');
        name.textContent = shortNerveName(n.name);
        b.append(name);
        if (n.motor) {
          const tag = document.createElement('span');
          tag.className = 'motor-tag';
          tag.textContent = 'MOTOR';
          b.append(tag);
        }
        b.addEventListener('click', () => {
          this.nerveId = n.id;
          this.draw();
        });
        return b;
      }),
    );
    this.draw();
  }

  get hasCatalog(): boolean {
    return this.nerves.length > 0;
  }

  /** The nerve and side chosen, or null while either is missing. */
  chosen(): { nerve: NerveChoice; target: TreatmentTarget } | null {
    const nerve = this.nerves.find((n) => n.id === this.nerveId);
    if (nerve === undefined || this.side === null) return null;
    return { nerve, target: { nerveId: nerve.id, side: this.side } };
  }

  private draw(): void {
    for (const b of Array.from(this.el.list.children)) {
      if (b instanceof HTMLElement) b.classList.toggle('chosen', b.dataset.nerve === this.nerveId);
    }
    this.el.left.classList.toggle('chosen', this.side === 'left');
    this.el.right.classList.toggle('chosen', this.side === 'right');
    this.el.next.disabled = this.chosen() === null;
  }
}
