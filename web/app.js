// actorpc's web view: the VGA screen, the keyboard, the IRQ timeline, counters, machine time and
// run state of one running machine, fed over a WebSocket (machine/web/server.ts). Plain ES
// modules, no build step. window.actorpc exposes the page's state (tests wait on it).
import { ScreenView } from '/screen.js';
import { Timeline } from '/timeline.js';

const WINDOW_NS = 2e9;
const $ = (id) => document.getElementById(id);

const state = {
  connected: false,
  machine: '',
  time: '',
  role: '',
  t: 0,
  runState: 'connecting',
  ended: false,
  endWhy: '',
  /** Messages the server sent when it refused this tab's input. */
  refused: [],
  counts: [],
};

const font = new Uint8Array(await (await fetch('/font.bin')).arrayBuffer());
const screen = new ScreenView($('screen'), font);
const timeline = new Timeline($('timeline'), WINDOW_NS);
$('window').textContent = String(WINDOW_NS / 1e9);

window.actorpc = {
  state,
  /** The screen as ASCII text (what the page's copy of the VGA holds). */
  text: () => screen.text(),
  /** Timeline rows: [{label, kind: 'line' | 'handler', events}]. */
  rows: () => timeline.rows(),
  /** Machine time the canvas was last drawn for (-1: not yet). */
  drawnAt: () => screen.drawnAt,
  frames: () => screen.frames,
};

const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onopen = () => { state.connected = true; };
ws.onclose = () => {
  state.connected = false;
  if (!state.ended) show('the connection to actorpc is closed (the machine stopped, or actorpc was ended)');
};
ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      state.machine = m.machine;
      state.time = m.time;
      setRole(m.role);
      screen.load(m.screen);
      state.t = Math.max(state.t, m.screen.t);
      $('machine').textContent = m.machine;
      $('mode').textContent = m.time;
      if (!m.keyboard) show('this machine has no keyboard: typing here does nothing');
      break;
    case 'frame':
      screen.apply(m.frame);
      state.t = Math.max(state.t, m.frame.t);
      break;
    case 'trace':
      timeline.add(m.events, m.dropped);
      break;
    case 'status':
      state.t = Math.max(state.t, m.t);
      state.runState = m.state;
      state.counts = m.counts;
      updateCounts();
      break;
    case 'role':
      setRole(m.role);
      show(m.role === 'input' ? 'this tab has the keyboard now' : '');
      break;
    case 'refused':
      state.refused.push(m.message);
      show(m.message);
      break;
    case 'end':
      // The final picture: drawn at once at the machine's final time (as --screenshot draws it).
      state.t = m.t;
      state.runState = 'stopped';
      state.endWhy = m.why;
      timeline.advance(m.t);
      timeline.draw();
      screen.dirty = true;
      screen.draw(m.t);
      updateHeader();
      state.ended = true;
      show(`the machine stopped (${m.why}); this page keeps its last picture`);
      return;
  }
  schedule();
}

let scheduled = false;
function schedule() {
  if (scheduled || state.ended) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    if (state.ended) return;
    screen.draw(state.t);
    timeline.advance(state.t);
    timeline.draw();
    updateHeader();
  });
}

function updateHeader() {
  $('time').textContent = (state.t / 1e9).toFixed(3);
  $('state').textContent = state.runState;
}

function updateCounts() {
  const body = $('counts').tBodies[0];
  body.replaceChildren(...state.counts.map(([v, n]) => {
    const tr = document.createElement('tr');
    tr.dataset.vector = String(v);
    tr.innerHTML = `<td>v${v}</td><td>${n}</td>`;
    return tr;
  }));
}

function setRole(role) {
  state.role = role;
  $('role').textContent = role === 'input' ? 'keyboard: this tab' : 'keyboard: another tab (view only)';
}

function show(text) {
  $('notice').textContent = text;
}

// ---- keys: characters as typed, named keys as pc-keyboard KeyCodes --------------------------
const NAMED = {
  ArrowUp: 'ArrowUp', ArrowDown: 'ArrowDown', ArrowLeft: 'ArrowLeft', ArrowRight: 'ArrowRight',
  Home: 'Home', End: 'End', Insert: 'Insert', Delete: 'Delete', PageUp: 'PageUp', PageDown: 'PageDown',
  F1: 'F1', F2: 'F2', F3: 'F3', F4: 'F4', F5: 'F5', F6: 'F6', F7: 'F7', F8: 'F8', F9: 'F9', F10: 'F10', F11: 'F11', F12: 'F12',
};
const CONTROL = { Enter: '\r', Backspace: '\b', Tab: '\t', Escape: '\x1b' };

function send(m) {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
}

$('screen').addEventListener('keydown', (e) => {
  if (e.metaKey || e.altKey) return;
  let m;
  if (e.ctrlKey && /^[a-z]$/i.test(e.key)) m = { type: 'type', text: String.fromCharCode(e.key.toUpperCase().charCodeAt(0) - 64) };
  else if (e.ctrlKey) return;
  else if (e.key.length === 1) m = { type: 'type', text: e.key };
  else if (CONTROL[e.key]) m = { type: 'type', text: CONTROL[e.key] };
  else if (NAMED[e.key]) m = { type: 'key', key: NAMED[e.key] };
  if (!m) return;
  e.preventDefault();
  send(m);
});
$('screen').focus();
