// Notifications: the team's list (newest first, unread in bold) and the bell's unread count in the header.

import { api, state } from '../lib/api.js';
import { append, badge, button, h, pageHeader } from '../lib/dom.js';
import { run } from '../lib/forms.js';
import { when } from '../lib/money.js';
import { route } from '../lib/router.js';

const PAGE = 25;
const BELL_EVERY_MS = 60_000;

function showCount(reply) {
  const count = document.getElementById('bell-count');
  if (!count) return;
  count.textContent = reply.unread ? reply.unread_display : '';
  count.hidden = !reply.unread;
  document.getElementById('bell')?.setAttribute('aria-label',
    reply.unread ? `Notifications, ${reply.unread_display} unread` : 'Notifications');
}

/** The header's unread count: refreshed now, on every navigation, and each minute while signed in. */
export async function refreshBell() {
  if (!state.me) return;
  try {
    showCount(await api('GET', '/notifications?limit=1'));
  } catch {
    // the count is a hint: a failed refresh leaves the last one
  }
}

export function startBell() {
  window.addEventListener('hashchange', refreshBell);
  setInterval(refreshBell, BELL_EVERY_MS);
}

function row(item) {
  const title = item.link ? h('a', { href: item.link }, item.title) : item.title;
  const li = h('li', { testid: 'notification', class: item.unread ? 'notification unread' : 'notification' },
    h('div', {}, item.unread ? h('strong', {}, title) : title, ' ', badge(item.category),
      item.text ? h('p', { class: 'hint' }, item.text.length > 200 ? `${item.text.slice(0, 199)}…` : item.text) : null,
      h('p', { class: 'hint' }, when(item.created_at))));
  if (item.unread) {
    li.append(button('Mark read', { class: 'button secondary small', testid: 'mark-read', onclick: (e) => run(e.currentTarget, async () => {
      showCount(await api('POST', `/notifications/${encodeURIComponent(item.id)}/read`));
      li.replaceWith(row({ ...item, unread: false }));
    }) }));
  }
  return li;
}

export async function notificationsScreen() {
  const page = await api('GET', `/notifications?limit=${PAGE}`);
  showCount(page);
  const list = h('ul', { class: 'notifications' });
  append(list, page.items.map(row));
  let cursor = page.next_cursor;
  const more = button('Load more', { class: 'button secondary', hidden: !cursor, onclick: (e) => run(e.currentTarget, async () => {
    const next = await api('GET', `/notifications?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
    append(list, next.items.map(row));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }) });
  const all = button('Mark all read', { class: 'button secondary', testid: 'mark-all-read', hidden: !page.unread,
    onclick: (e) => run(e.currentTarget, async () => {
      showCount(await api('POST', '/notifications/all/read'));
      await route(); // the list again, every item read
    }) });
  return h('div', {},
    pageHeader('Notifications', all),
    h('section', { class: 'card' },
      h('p', { class: 'hint' }, 'Messages, approvals, decisions, milestones, invoices and files across your clients, newest first.'),
      page.items.length ? list : h('p', { class: 'empty' }, 'Nothing yet.'),
      more));
}
