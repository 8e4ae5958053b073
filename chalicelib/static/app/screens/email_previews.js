// Emails: every kind of email Paydrop sends for the business, as the client (or the team) gets it,
// rendered by the server with the business's real branding and sample data.
//
// The HTML part is shown in a sandboxed iframe (no scripts, no popups, no forms): it is the only
// place the dashboard parses HTML, and it is the server's own template output. The iframe shares
// the dashboard's CSP, which refuses style attributes written in markup, so their text is applied
// through the CSSOM (`style.cssText`, which the CSP does not govern) once the frame has loaded.

import { api } from '../lib/api.js';
import { h, link, pageHeader, section } from '../lib/dom.js';

const WIDTHS = { Phone: 390, Desktop: 700 };

export async function emailPreviewsScreen(kind) {
  const { kinds } = await api('GET', '/email-previews');
  const current = kind || kinds[0].kind;
  const nav = h('ul', { class: 'email-kinds', testid: 'email-kinds' }, kinds.map((k) => h('li', {},
    link(`#/emails/${k.kind}`, k.title, k.kind === current ? { 'aria-current': 'page' } : {}),
    h('span', { class: 'muted' }, ` · ${audience(k.audience)}`))));
  const preview = await api('GET', `/email-previews/${encodeURIComponent(current)}`);
  return h('div', {},
    pageHeader('Emails'),
    h('p', { class: 'muted' }, 'What each email looks like with your logo and colours, in ',
      h('strong', {}, preview.locale), '. The amounts, names and links are samples.'),
    h('div', { class: 'email-previews' }, section('Kinds of email', nav), previewSection(preview)));
}

function audience(who) {
  return { client: 'to your clients', staff: 'to your team', anyone: 'to whoever asked' }[who] || who;
}

function previewSection(preview) {
  const frame = h('iframe', { class: 'email-frame', title: `HTML email: ${preview.subject}`, sandbox: 'allow-same-origin',
    referrerpolicy: 'no-referrer', testid: 'email-html' });
  frame.addEventListener('load', () => applyStyles(frame));
  frame.srcdoc = preview.html;
  const widths = h('div', { class: 'actions', role: 'group', 'aria-label': 'Preview width' },
    Object.entries(WIDTHS).map(([label, px]) => h('button', { type: 'button', class: 'button secondary small',
      onclick: () => { frame.style.width = `${px}px`; applyStyles(frame); } }, label)));
  return h('section', { class: 'card email-preview', testid: 'email-preview' },
    h('h2', {}, preview.title),
    h('p', {}, h('strong', {}, 'Subject: '), h('span', { testid: 'email-subject' }, preview.subject)),
    widths,
    h('div', { class: 'email-parts' },
      h('div', {}, h('h3', {}, 'HTML'), frame),
      h('div', {}, h('h3', {}, 'Plain text'), h('pre', { class: 'email-text', testid: 'email-text' }, preview.text))));
}

function applyStyles(frame) {
  const doc = frame.contentDocument;
  if (!doc) return;
  for (const el of doc.querySelectorAll('[style]')) el.style.cssText = el.getAttribute('style');
  frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
}
