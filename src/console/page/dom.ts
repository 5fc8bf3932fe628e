// Element lookup: the page's elements are fixed in index.html; a missing id is a build defect.
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`console page: no element #${id}`);
  return el;
}

export function buttonById(id: string): HTMLButtonElement {
  const el = byId(id);
  if (!(el instanceof HTMLButtonElement)) throw new Error(`console page: #${id} is not a button`);
  return el;
}

export function inputById(id: string): HTMLInputElement {
  const el = byId(id);
  if (!(el instanceof HTMLInputElement)) throw new Error(`console page: #${id} is not an input`);
  return el;
}

/** Sets text only when it changed (no layout work at 10 Hz for a value that did not move). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
