// Inbox: every client's conversation with the team, latest message first, with unread counts;
// one conversation's messages (links made clickable from text nodes, never parsed HTML), an
// answer box with attachments (straight to S3), and who of the client has seen each message.

import { api, clientsList, listAll } from '../lib/api.js';
import { h, link, pageHeader, section } from '../lib/dom.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { size, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { xhr } from '../lib/uploads.js';

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;
const MAX_TEXT = 10000;
const MAX_FILE = 100 * 1024 * 1024;

/** Text with its http(s) URLs as links: DOM nodes only, so nothing in it can become markup. */
export function linkified(text) {
  const out = [];
  let start = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING, '');
    out.push(text.slice(start, match.index), h('a', { href: url, rel: 'noopener nofollow ugc', target: '_blank' }, url));
    start = match.index + url.length;
  }
  out.push(text.slice(start));
  return out;
}

async function clientNames() {
  const clients = await clientsList().catch(() => []);
  return new Map(clients.map((c) => [c.client_id || c.id, c.name]));
}

// A client can have several projects, each with its conversation: the inbox names the project.
async function projectNames() {
  const projects = await listAll('/projects', 300).catch(() => []);
  return new Map(projects.map((p) => [p.id, p.name]));
}

/** The unread count in the nav ("Inbox (3)"), refreshed whenever the inbox is read. */
export function showUnread(count) {
  const nav = document.querySelector('[data-nav="inbox"]');
  if (nav) nav.textContent = count ? `Inbox (${count})` : 'Inbox';
}

export async function inboxScreen() {
  const [page, names, projects] = await Promise.all([api('GET', '/conversations?limit=100'), clientNames(), projectNames()]);
  showUnread(page.unread);
  const rows = page.items.map((c) => h('li', { class: `conversation-row${c.unread ? ' unread' : ''}`, testid: 'conversation-row' },
    link(`#/inbox/${c.id}`, names.get(c.client_id) || 'Client'),
    c.project_id ? h('span', { class: 'muted', testid: 'conversation-project' }, ` · ${projects.get(c.project_id) || 'project'}`) : null,
    c.unread ? [' ', h('span', { class: 'badge badge-unread', testid: 'unread' }, `${c.unread} unread`)] : null,
    h('div', { class: 'muted small' }, `${c.last_side === 'staff' ? 'You' : c.last_author}: ${c.last_preview || ''} · ${when(c.last_message_at)}`)));
  return h('div', {},
    pageHeader(page.unread ? `Inbox (${page.unread} unread)` : 'Inbox'),
    section('Conversations', rows.length ? h('ul', { class: 'conversations' }, rows) : h('p', { class: 'empty' }, 'No messages yet.')),
    can(MANAGE.clients) ? newConversationForm(names) : null);
}

function newConversationForm(names) {
  const choices = [...names.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-message-title' },
    h('h2', { id: 'new-message-title' }, 'Write to a client'),
    h('div', { class: 'field' }, h('label', { for: 'new-message-client' }, 'Client'),
      h('select', { id: 'new-message-client', name: 'client_id', testid: 'new-message-client' },
        choices.map(([value, label]) => h('option', { value }, label)))),
    h('div', { class: 'field' }, h('label', { for: 'new-message-text' }, 'Message'),
      h('textarea', { id: 'new-message-text', name: 'text', rows: 3, maxlength: MAX_TEXT, testid: 'new-message-text' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'new-message-send' }, 'Send')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const text = form.elements.text.value;
      if (!form.elements.client_id.value) throw new FieldError('Choose a client.', 'client_id');
      if (!text.trim()) throw new FieldError('Write a message.', 'text');
      const sent = await api('POST', '/conversations', { client_id: form.elements.client_id.value, text });
      toast('Message sent.');
      go(`#/inbox/${sent.conversation_id}`);
    }, form);
  });
  return form;
}

/** The nav's unread count, once signed in (the Inbox screens keep it up to date after). */
export function refreshUnread() {
  api('GET', '/conversations?limit=100').then((p) => showUnread(p.unread)).catch(() => {});
}

function messageItem(m) {
  return h('li', { class: `message ${m.side}`, testid: 'message' },
    h('div', { class: 'muted small' }, `${m.author} · ${when(m.created_at)}${m.via === 'email' ? ' · by email' : ''}`),
    m.text ? h('div', { class: 'message-text' }, linkified(m.text)) : null,
    m.attachments.length ? h('ul', { class: 'attachments' }, m.attachments.map((a) => h('li', {},
      a.preview_url ? h('img', { src: a.preview_url, alt: '', width: 64, height: 64 }) : null,
      link(a.url, a.filename, { testid: 'attachment' }), h('span', { class: 'muted small' }, ` ${size(a.size)}`)))) : null,
    m.side === 'staff' && m.seen_by.length
      ? h('div', { class: 'muted small', testid: 'seen-by' }, `Seen by ${m.seen_by.map((s) => `${s.name} (${when(s.at)})`).join(', ')}`)
      : null);
}

export async function conversationScreen(id) {
  const [conversation, names, projects] = await Promise.all([api('GET', `/conversations/${id}`), clientNames(), projectNames()]);
  if (conversation.unread) {
    const read = await api('POST', `/conversations/${id}/read`);
    conversation.unread = read.unread;
    refreshUnread();
  }
  const list = h('ol', { class: 'messages', testid: 'messages' }, conversation.messages.map(messageItem));
  return h('div', {},
    pageHeader(names.get(conversation.client_id) || 'Conversation', link('#/inbox', 'All conversations')),
    section(conversation.project_id ? `Project: ${projects.get(conversation.project_id) || 'conversation'}` : 'Conversation', list,
      conversation.messages.length ? null : h('p', { class: 'empty' }, 'No messages yet.')),
    can(MANAGE.clients) ? answerForm(id) : null);
}

async function upload(id, file) {
  if (file.size > MAX_FILE) throw new FieldError(`“${file.name}” is larger than 100 MB.`, 'files');
  const started = await api('POST', `/conversations/${id}/attachments`,
    { filename: file.name, size: file.size, content_type: file.type || 'application/octet-stream' });
  const form = new FormData();
  for (const [k, v] of Object.entries(started.upload.fields)) form.append(k, v);
  form.append('file', file);
  await xhr('POST', started.upload.url, form, () => {});
  await api('POST', `/conversations/${id}/attachments/${started.attachment_id}/confirm`);
  return started.attachment_id;
}

function answerForm(id) {
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'answer-title' },
    h('h2', { id: 'answer-title' }, 'Answer'),
    h('div', { class: 'field' }, h('label', { for: 'answer-text' }, 'Message'),
      h('textarea', { id: 'answer-text', name: 'text', rows: 4, maxlength: MAX_TEXT, testid: 'answer-text' })),
    h('div', { class: 'field' }, h('label', { for: 'answer-files' }, 'Attachments (up to 100 MB each)'),
      h('input', { id: 'answer-files', name: 'files', type: 'file', multiple: true, testid: 'answer-files' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'answer-send' }, 'Send')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const text = form.elements.text.value;
      const files = [...form.elements.files.files];
      if (!text.trim() && !files.length) throw new FieldError('Write a message (or attach a file).', 'text');
      if (text.length > MAX_TEXT) throw new FieldError('A message can have at most 10,000 characters.', 'text');
      const attachments = [];
      for (const file of files) attachments.push(await upload(id, file));
      await api('POST', `/conversations/${id}/messages`, { text, attachments });
      toast('Message sent.');
      go(`#/inbox/${id}`);
    }, form);
  });
  return form;
}
