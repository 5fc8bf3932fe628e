// The operator console page (issue 9): one socket to the controller's own server, the snapshot
// drawn at every update, and four controls. Nothing on the page decides anything: a command is a
// request the controller judges at its next tick, like a button press.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { ConsoleCommand, Snapshot } from '../protocol.js';
import type { Access, ServerMessage } from '../wire.js';
import { byId, buttonById, setText } from './dom.js';
import { ConsoleSocket } from './socket.js';
import { RecentView } from './recent.js';
import { StartDialog } from './start-dialog.js';
import { TipTrend } from './trend.js';
import { SnapshotView } from './view.js';

/** How long a refusal or an acknowledgement of a command stays on screen. */
const NOTICE_MS = 5_000;

let snapshot: Snapshot | null = null;
let access: Access | null = null;
let live = false;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

const view = new SnapshotView();
const recent = new RecentView();
const trend = new TipTrend(byId('trend'));
const controls = {
  start: buttonById('start'),
  stop: buttonById('stop'),
  acknowledge: buttonById('acknowledge'),
  pause: buttonById('audio-pause'),
};

function notice(text: string, kind: 'refused' | 'accepted'): void {
  const el = byId('notice');
  setText(el, text);
  el.className = `notice ${kind}`;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    el.className = 'notice';
  }, NOTICE_MS);
}

function updateControls(): void {
  const canCommand = live && access?.canCommand === true;
  controls.start.disabled = !(canCommand && access?.canStart === true && snapshot !== null);
  controls.stop.disabled = !canCommand;
  controls.acknowledge.disabled = !canCommand;
  controls.pause.disabled = !(canCommand && access?.canAudioPause === true);
  const accessEl = byId('access');
  const reason = access?.reason ?? null;
  accessEl.hidden = reason === null;
  setText(accessEl, reason ?? '');
  document.body.classList.toggle('read-only', access !== null && !access.canCommand);
}

function setLive(state: boolean): void {
  live = state;
  document.body.classList.toggle('stale', !live);
  setText(byId('link'), live ? 'LIVE' : 'CONNECTION LOST');
  if (!live) startDialog.close();
  updateControls();
}

function onMessage(message: ServerMessage): void {
  switch (message.kind) {
    case 'access':
      access = message.access;
      break;
    case 'full':
      snapshot = message.snapshot;
      trend.reset(message.trend);
      view.draw(snapshot);
      break;
    case 'changes':
      if (snapshot === null) return;
      snapshot = { ...snapshot, ...message.changes };
      trend.add(message.point[0], message.point[1]);
      trend.redraw();
      view.draw(snapshot);
      break;
    case 'catalog':
      startDialog.setCatalog(message.nerves, message.defaultTarget);
      recent.setCatalog(message.nerves);
      break;
    case 'recent':
      recent.draw(message.recent);
      break;
    case 'accepted':
      notice(`${message.command}: sent to the controller`, 'accepted');
      break;
    case 'refused':
      notice(`${message.command ?? 'message'} refused: ${message.reason}`, 'refused');
      break;
  }
  updateControls();
}

function send(command: ConsoleCommand): void {
  if (!socket.send(command)) notice(`${command.type}: not sent, connection lost`, 'refused');
}

const startDialog = new StartDialog(({ protocol, target }) => {
  send(target === null ? { type: 'start', protocol } : { type: 'start', protocol, target });
});
controls.start.addEventListener('click', () => {
  if (snapshot !== null) startDialog.open(snapshot.limits, snapshot.startTargets);
});
controls.stop.addEventListener('click', () => {
  startDialog.close();
  send({ type: 'stop' });
});
controls.acknowledge.addEventListener('click', () => {
  send({ type: 'acknowledge' });
});
controls.pause.addEventListener('click', () => {
  send({ type: 'audio-pause' });
});

// A remote operator opens the page with ?token=...; the socket presents it.
const token = new URLSearchParams(location.search).get('token');
const socketUrl = `ws://${location.host}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
const socket = new ConsoleSocket(socketUrl, { message: onMessage, link: (state) => {
    setLive(state === 'live');
  } });
setLive(false);
