// One device's page: renders /api/state, refreshes on server-sent events, writes through the API.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const esc = s => String(s ?? '').replace(/[&<>"']/g,
  c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const tagsOf = text => text.split(',').map(t => t.trim()).filter(Boolean);

let state = null;
let editing = null; // { kind: 'note' | 'message', id, original }

async function api(method, path, body) {
  const res = await fetch('api/' + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    throw new Error(json && json.error ? json.error : res.status + ' ' + res.statusText);
  }
  return json;
}

function toast(message) {
  const t = $('#toast');
  t.textContent = message;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

async function act(fn) {
  try {
    await fn();
    forget();
    await refresh();
showPairing().catch(e => toast(e.message));
  } catch (e) {
    toast(e.message);
  }
}

// --- refreshing ---

let inFlight = false;
let again = false;
async function refresh() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  try {
    do {
      again = false;
      state = await api('GET', 'state');
      render();
    } while (again);
  } catch (e) {
    $('#sync').textContent = 'unreachable';
    $('#sync').className = 'chip off';
  } finally {
    inFlight = false;
  }
}

function render() {
  renderStatus(state.status);
  renderList('#notes', state.notes, 'note', noteItem, 'No notes yet.');
  renderList('#contacts', state.contacts, 'contact', contactItem, 'No contacts yet.');
  renderList('#messages', state.messages, 'message', messageItem, 'No messages yet.');
  renderRecipients();
  renderTyping();
}

/** Who is typing in which note, as the other devices said over the ephemeral channel. */
function renderTyping() {
  const said = (state.typing || []).map(t => {
    const n = state.notes.find(x => x.id === t.note);
    return `${t.device} is typing…` + (n ? ` (${n.title || 'untitled'})` : '');
  });
  const box = $('#typing');
  box.textContent = said.join(' · ');
  box.hidden = said.length === 0;
}

function renderStatus(s) {
  document.title = s.device + ' · Tandem notes';
  $('#device').textContent = s.device;
  const chip = $('#sync');
  if (!s.online) { chip.textContent = 'offline'; chip.className = 'chip off'; }
  else if (s.inSync) { chip.textContent = 'in sync'; chip.className = 'chip ok'; }
  else if (s.connected === 0) { chip.textContent = 'no peers'; chip.className = 'chip off'; }
  else { chip.textContent = 'syncing…'; chip.className = 'chip busy'; }
  const box = $('#offline');
  if (document.activeElement !== box) box.checked = !s.online;
  $('#peers').innerHTML = s.peers.length === 0 ? '<span>no peer met yet</span>'
    : s.peers.map(p => `<span class="peer ${p.connected ? 'up' : 'down'}" data-peer="${esc(p.name)}">`
      + `${esc(p.name)} · ↑${p.pendingOut} ↓${p.pendingIn}`
      + ` · ${p.inSync ? 'in sync' : p.connected ? 'syncing' : 'away'}`
      + ` · ${ago(p.lastExchange, s.now)}</span>`).join('');
}

function ago(t, now) {
  if (t == null) return 'never';
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 2 ? 'just now' : s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
}

/**
 * Rebuilds a list when its items changed, keeping the item being edited as it is, so typing is
 * never lost and a click never lands on a row that is being replaced. The edited item never
 * leaves the page: taking it out, even to put it straight back, would move the focus off its
 * input, and the keys still being typed would go nowhere.
 */
const shown = {};
function renderList(sel, items, kind, build, emptyText) {
  const ul = $(sel);
  const key = JSON.stringify(items) + '|' + (editing && editing.kind === kind ? editing.id : '');
  if (shown[sel] === key) return;
  shown[sel] = key;
  let keep = editing && editing.kind === kind ? ul.querySelector(`li[data-id="${editing.id}"]`) : null;
  if (keep && !items.some(i => i.id === editing.id)) {
    keep = null; // the item is gone (deleted on another device): so is its editor
    editing = null;
  }
  const ids = new Set(items.map(i => i.id));
  const rows = new Map();
  for (const child of [...ul.children]) {
    if (child.dataset.id && ids.has(child.dataset.id)) rows.set(child.dataset.id, child);
    else child.remove();
  }
  // Rows that did not change stay as they are, where they are: a click on one lands.
  let prev = null;
  for (const item of items) {
    let li = rows.get(item.id);
    if (!(keep && li === keep)) {
      const html = build(item);
      if (!li) {
        li = document.createElement('li');
        li.className = kind;
        li.dataset.id = item.id;
      }
      if (item.status) li.dataset.status = item.status;
      if (li.shownHtml !== html) {
        li.innerHTML = html;
        li.shownHtml = html;
      }
      const want = prev ? prev.nextSibling : ul.firstChild;
      if (want !== li) ul.insertBefore(li, want);
    }
    prev = li;
  }
  if (items.length === 0) ul.innerHTML = `<li class="empty">${emptyText}</li>`;
}

function conflicts(item, what) {
  return Object.entries(item.conflicts || {}).map(([field, values]) =>
    `<div class="conflict" data-field="${esc(field)}">Changed on two devices while apart:`
    + ` pick the ${esc(field)} of this ${what} to keep<div class="choices">`
    + values.map(v => `<button type="button" class="pick" data-field="${esc(field)}"`
      + ` data-value="${esc(v)}">${esc(v) || '<em>(empty)</em>'}</button>`).join('')
    + '</div></div>').join('');
}

function noteItem(n) {
  const receipt = n.receipt && n.receipt.length
    ? `<span class="receipt">${n.receipt.map(r => r.has
      ? `<span class="has">on ${esc(r.device)} ✓</span>`
      : `<span class="lacks">on ${esc(r.device)} …</span>`).join(', ')}</span>` : '';
  return `<div class="head ${n.pinned ? 'pinned' : ''}"><span class="title">${esc(n.title) || '<em>Untitled</em>'}</span>`
    + `<span class="actions"><button type="button" class="plain pin" title="pin">${n.pinned ? '★' : '☆'}</button>`
    + '<button type="button" class="plain edit">Edit</button>'
    + '<button type="button" class="plain delete" title="delete">✕</button></span></div>'
    + (n.body ? `<div class="body">${esc(n.body)}</div>` : '')
    + `<div class="meta">${n.tags.map(t => `<span class="tag">${esc(t)}</span>`).join('')}${receipt}</div>`
    + conflicts(n, 'note');
}

function contactItem(c) {
  return `<div class="head"><span class="title name">${esc(c.name)}</span>`
    + '<span class="actions"><button type="button" class="plain delete" title="delete">✕</button></span></div>'
    + `<div class="meta">${c.email ? `<span class="email">${esc(c.email)}</span>` : ''}`
    + `${c.phone ? `<span class="phone">${esc(c.phone)}</span>` : ''}</div>` + conflicts(c, 'contact');
}

function messageItem(m) {
  const draft = m.status !== 'sent';
  return `<div class="head"><span class="title">To ${m.toName ? esc(m.toName) : '<em>a contact not here yet</em>'}</span>`
    + (draft ? '<span class="status status-draft">draft</span>' : '<span class="status status-sent">sent ✓</span>')
    + '</div>'
    + `<div class="body">${esc(m.body)}</div>`
    + (draft ? '<div class="meta"><button type="button" class="plain open">Open draft</button></div>' : '')
    + conflicts(m, 'message');
}

function renderRecipients() {
  const sel = $('#new-message-to');
  if (document.activeElement === sel) return;
  const html = state.contacts.length === 0
    ? '<option value="">Add a contact first</option>'
    : state.contacts.map(c => `<option value="${esc(c.id)}">To ${esc(c.name)}</option>`).join('');
  // Only when they changed: options replaced at every tick would be gone under a person's
  // (or a test's) click.
  if (renderRecipients.shown === html) return;
  renderRecipients.shown = html;
  const chosen = sel.value;
  sel.innerHTML = html;
  if (state.contacts.some(c => c.id === chosen)) sel.value = chosen;
}

// --- editors ---

function openNoteEditor(li, n) {
  editing = { kind: 'note', id: n.id, original: n };
  li.shownHtml = null;
  li.innerHTML = '<div class="form note-editor">'
    + `<input class="edit-title" value="${esc(n.title)}" maxlength="200">`
    + `<textarea class="edit-body" rows="4" maxlength="20000">${esc(n.body)}</textarea>`
    + `<input class="edit-tags" value="${esc(n.tags.join(', '))}" placeholder="tags">`
    + `<label class="switch"><input type="checkbox" class="edit-pinned" ${n.pinned ? 'checked' : ''}> pinned</label>`
    + '<div class="actions"><button type="button" class="save">Save</button>'
    + '<button type="button" class="quiet cancel">Cancel</button></div></div>';
  focusAtEnd($('.edit-title', li));
}

/** Puts the caret after the text: opening a draft is to go on writing it. */
function focusAtEnd(input) {
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

function noteChanges(li, n) {
  const out = {};
  const title = $('.edit-title', li).value;
  const body = $('.edit-body', li).value;
  const tags = tagsOf($('.edit-tags', li).value);
  const pinned = $('.edit-pinned', li).checked;
  if (title !== n.title || n.conflicts.title) out.title = title;
  if (body !== n.body) out.body = body;
  if (tags.join('\u0000') !== n.tags.join('\u0000')) out.tags = tags;
  if (pinned !== n.pinned) out.pinned = pinned;
  return out;
}

function openMessageEditor(li, m) {
  editing = { kind: 'message', id: m.id, original: m };
  li.shownHtml = null;
  li.innerHTML = `<div class="form message-editor"><div class="title">To ${esc(m.toName || '…')}</div>`
    + `<textarea class="edit-body" rows="4" maxlength="20000">${esc(m.body)}</textarea>`
    + '<div class="actions"><button type="button" class="send">Send</button>'
    + '<button type="button" class="quiet save">Save draft</button>'
    + '<button type="button" class="quiet cancel">Cancel</button></div></div>';
  focusAtEnd($('.edit-body', li));
}

/** Makes the next render rebuild every list (after an editor closed, say). */
function forget() {
  for (const k of Object.keys(shown)) delete shown[k];
}

function find(list, id) {
  return state[list].find(x => x.id === id);
}

document.addEventListener('click', e => {
  const button = e.target.closest('button');
  const li = e.target.closest('li[data-id]');
  if (!button || !li) return;
  const id = li.dataset.id;
  const list = li.closest('ul').id;
  const c = button.classList;
  if (list === 'notes') {
    const n = find('notes', id);
    if (c.contains('edit') && n) openNoteEditor(li, n);
    else if (c.contains('pin') && n) act(() => api('PATCH', 'notes/' + id, { pinned: !n.pinned }));
    else if (c.contains('delete')) act(() => api('DELETE', 'notes/' + id));
    else if (c.contains('pick')) act(() => api('PATCH', 'notes/' + id, { [button.dataset.field]: button.dataset.value }));
    else if (c.contains('cancel')) { editing = null; forget(); refresh(); }
    else if (c.contains('save')) {
      const changes = noteChanges(li, editing.original);
      act(async () => {
        if (Object.keys(changes).length) await api('PATCH', 'notes/' + id, changes);
        editing = null;
      });
    }
  } else if (list === 'contacts') {
    if (c.contains('delete')) act(() => api('DELETE', 'contacts/' + id));
    else if (c.contains('pick')) act(() => api('PATCH', 'contacts/' + id, { [button.dataset.field]: button.dataset.value }));
  } else if (list === 'messages') {
    const m = find('messages', id);
    if (c.contains('open') && m) openMessageEditor(li, m);
    else if (c.contains('pick')) act(() => api('PATCH', 'messages/' + id, { [button.dataset.field]: button.dataset.value }));
    else if (c.contains('cancel')) { editing = null; forget(); refresh(); }
    else if (c.contains('save') || c.contains('send')) {
      const body = $('.edit-body', li).value;
      const send = c.contains('send');
      act(async () => {
        if (body !== editing.original.body) await api('PATCH', 'messages/' + id, { body });
        if (send) await api('POST', 'messages/' + id + '/send');
        editing = null;
      });
    }
  }
});

// --- forms ---

$('#new-note').addEventListener('submit', e => {
  e.preventDefault();
  const note = { title: $('#new-note-title').value, body: $('#new-note-body').value,
    tags: tagsOf($('#new-note-tags').value) };
  act(async () => {
    await api('POST', 'notes', note);
    e.target.reset();
  });
});

$('#new-contact').addEventListener('submit', e => {
  e.preventDefault();
  const contact = { name: $('#new-contact-name').value, email: $('#new-contact-email').value,
    phone: $('#new-contact-phone').value };
  act(async () => {
    await api('POST', 'contacts', contact);
    e.target.reset();
  });
});

$('#new-message').addEventListener('submit', e => {
  e.preventDefault();
  const message = { to: $('#new-message-to').value, body: $('#new-message-body').value };
  act(async () => {
    await api('POST', 'messages', message);
    $('#new-message-body').value = '';
  });
});

async function showPairing() {
  const p = await api('GET', 'pairing');
  $('#pairing').hidden = false;
  $('#own-fingerprint').textContent = p.fingerprint;
  $('#paired').innerHTML = p.paired.map(d =>
    `<li>paired with <b>${esc(d.name)}</b> · ${esc(d.fingerprint.slice(0, 16))}…</li>`).join('');
  const o = p.offer;
  $('#offer').hidden = o.state === 'none';
  $('#offer').textContent = o.code ? `Type ${o.code} on the other device`
    : o.state === 'waiting' ? `On the other device, join ${location.hostname}:${o.port}`
    : o.state === 'paired' ? 'Paired.' : o.state;
  $('#join-state').textContent = p.join.state === 'none' ? '' : p.join.state;
  // While a pairing is under way, its code or outcome shows without a reload.
  clearTimeout(showPairing.timer);
  if (['waiting', 'showing'].includes(o.state)
      || ['connecting', 'waiting for the code'].includes(p.join.state)) {
    showPairing.timer = setTimeout(() => showPairing().catch(e => toast(e.message)), 500);
  }
}

$('#offer-button').addEventListener('click', () => act(async () => {
  await api('POST', 'pairing/offer', {});
  await showPairing();
}));

$('#join').addEventListener('submit', e => {
  e.preventDefault();
  act(async () => {
    await api('POST', 'pairing/join', { address: $('#join-address').value });
    await showPairing();
  });
});

$('#code-button').addEventListener('click', () => act(async () => {
  try {
    await api('POST', 'pairing/code', { code: $('#join-code').value });
    $('#join-code').value = '';
  } finally {
    await showPairing();
  }
}));

$('#pair').addEventListener('submit', e => {
  e.preventDefault();
  const device = { name: $('#pair-name').value, fingerprint: $('#pair-fingerprint').value };
  act(async () => {
    await api('POST', 'pairing', device);
    e.target.reset();
    await showPairing();
  });
});

$('#offline').addEventListener('change', e => {
  act(() => api('PUT', 'network', { online: !e.target.checked }));
});

// --- live updates ---

// --- typing… ---

// Keys in a note's editor tell the connected devices, at most once a second; nothing is stored.
let typingSaid = 0;
document.addEventListener('input', e => {
  const li = e.target.closest('#notes li.note');
  if (!li || Date.now() - typingSaid < 1000) return;
  typingSaid = Date.now();
  api('POST', 'typing', { note: li.dataset.id }).catch(() => {});
});

const events = new EventSource('api/events');
events.addEventListener('change', refresh);
events.addEventListener('tick', refresh);
refresh();
showPairing().catch(e => toast(e.message));
