// The recent treatments (issue 10), newest first, in the side column: what the console worker
// read from the records (src/console/records-view.ts), or why it could not. Nerve names come from
// the server's catalog.
import type { NerveChoice, RecentTreatments } from '../wire.js';
import { byId } from './dom.js';
import { formatRecentRow } from './format.js';

export class RecentView {
  private readonly el = byId('recent');
  private names: ReadonlyMap<string, string> = new Map();
  private recent: RecentTreatments | null = null;

  setCatalog(nerves: readonly NerveChoice[]): void {
    this.names = new Map(nerves.map((n) => [n.id, n.name]));
    if (this.recent !== null) this.draw(this.recent);
  }

  draw(recent: RecentTreatments): void {
    this.recent = recent;
    const title = document.createElement('div');
    title.className = 'recent-title';
    title.textContent = 'RECENT TREATMENTS';
    if (!recent.available) {
      const why = document.createElement('div');
      why.className = 'recent-unavailable';
      why.textContent = `records unavailable: ${recent.reason}`;
      this.el.replaceChildren(title, why);
      return;
    }
    const now = Date.now();
    const rows = recent.treatments.map((t) => {
      const text = formatRecentRow(t, this.names, now);
      const row = document.createElement('div');
      row.className = 'recent-row';
      row.dataset.id = String(t.id);
      const head = document.createElement('div');
      head.textContent = text.head;
      const target = document.createElement('div');
      target.className = 'recent-target';
      target.textContent = text.target;
      row.append(head, target);
      return row;
    });
    if (rows.length === 0) {
      const none = document.createElement('div');
      none.textContent = 'none yet';
      rows.push(none);
    }
    this.el.replaceChildren(title, ...rows);
  }
}
