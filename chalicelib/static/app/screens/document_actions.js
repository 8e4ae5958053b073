// What staff do with a saved document: send, email, share, convert, cancel, record a payment.

import { api, forget } from '../lib/api.js';
import { button, confirmButton, field, h, input, select } from '../lib/dom.js';
import { copyAndTell, openPreview, sharePdf } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { majorText, orNull, parseMoney, today } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { title } from './document_parts.js';

export function sentDocumentForm(kind, doc) {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Due date', input({ name: 'due_date', type: 'date', value: doc.due_date || '' })),
      field('PO number', input({ name: 'po_number', value: doc.po_number || '' }))),
    field('Notes', h('textarea', { name: 'notes', rows: 2 }, doc.notes || '')),
    field('Terms', h('textarea', { name: 'terms', rows: 2 }, doc.terms || '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('PATCH', `/${kind}s/${doc.id}`, {
        due_date: els.due_date.value || null, po_number: orNull(els.po_number.value),
        notes: orNull(els.notes.value), terms: orNull(els.terms.value),
      });
      toast('Saved.');
      go(`#/${kind}s/${doc.id}`);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Edit notes, terms and due date'), form);
}

const SHAREABLE = ['sent', 'partial', 'paid'];

export function documentActions(kind, doc) {
  const manage = can(MANAGE.invoices);
  const base = `/${kind}s/${doc.id}`;
  const reload = () => { forget(`${kind}s`); go(`#/${kind}s/${doc.id}`); };
  const shareOut = h('p', { class: 'copy-out', 'aria-live': 'polite' },
    doc.share_url ? ['Share link: ', h('a', { href: doc.share_url, target: '_blank', rel: 'noopener', testid: 'share-url' }, doc.share_url)] : null);
  const showShare = (url, what = 'Share link') => shareOut.replaceChildren(`${what}: `,
    h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'share-url' }, url));
  const pdfOut = h('p', { class: 'copy-out', 'aria-live': 'polite' });
  const open = ['sent', 'partial'].includes(doc.status);
  const buttons = [];
  if (manage && doc.status === 'draft') {
    buttons.push(button('Mark sent', { testid: kind === 'invoice' ? 'invoice-send' : 'quote-send', onclick: (e) => run(e.currentTarget, async () => {
      await api('POST', `${base}/send`);
      toast(`${title(kind)} ${doc.number} is sent.`);
      reload();
    }) }));
  }
  if (manage && kind === 'invoice' && !['cancelled', 'paid'].includes(doc.status)) {
    buttons.push(button('Email to client', { class: 'button secondary', testid: 'invoice-email', onclick: (e) => run(e.currentTarget, async () => {
      const outcome = await api('POST', `${base}/email`);
      const sent = outcome.sent_to?.length ? `Emailed to ${outcome.sent_to.join(', ')}.` : 'Nobody to email.';
      const skipped = outcome.skipped?.length ? ` Skipped (opted out): ${outcome.skipped.join(', ')}.` : '';
      toast(sent + skipped);
      reload();
    }) }));
  }
  // Share links only for documents the client has been sent: a draft is not theirs to see yet
  // (the API refuses it with a 409 as well).
  const shareable = kind === 'invoice' && SHAREABLE.includes(doc.status);
  if (manage && shareable) {
    buttons.push(button('Copy share link', { class: 'button secondary', testid: 'invoice-share', onclick: (e) => run(e.currentTarget, async () => {
      const { url } = await api('POST', `${base}/share`);
      showShare(url);
      await copyAndTell(url, 'Share link');
    }) }));
  }
  if (kind === 'invoice' && doc.status !== 'cancelled') {
    buttons.push(button('Preview as client', { class: 'button secondary', testid: 'invoice-preview',
      onclick: (e) => run(e.currentTarget, () => openPreview(`${base}/preview-link`)) }));
  }
  if (manage && shareable && doc.share_url) {
    buttons.push(confirmButton('New share link', 'Confirm: the old link stops working', async () => {
      const { url } = await api('POST', `${base}/share/regenerate`);
      showShare(url, 'New share link');
      await copyAndTell(url, 'New share link');
    }, { class: 'button secondary', testid: 'invoice-share-regenerate' }));
    buttons.push(confirmButton('Revoke share link', 'Confirm: the link stops working', async () => {
      await api('DELETE', `${base}/share`);
      toast('Share link revoked; it no longer opens.');
      reload();
    }, { testid: 'invoice-share-revoke' }));
  }
  buttons.push(button('Share PDF', { class: 'button secondary', testid: kind === 'invoice' ? 'invoice-pdf' : 'quote-pdf', onclick: (e) => run(e.currentTarget,
    () => sharePdf(`${base}/pdf`, `${doc.number}.pdf`, pdfOut)) }));
  if (manage && kind === 'quote' && doc.status === 'accepted' && !doc.converted_invoice_id) {
    buttons.push(button('Convert to invoice', { testid: 'quote-convert', onclick: (e) => run(e.currentTarget, async () => {
      const invoice = await api('POST', `${base}/convert`);
      forget('invoices', 'quotes');
      toast(`Invoice ${invoice.number} created.`);
      go(`#/invoices/${invoice.id}`);
    }) }));
  }
  if (manage && (doc.status === 'draft' || open) && !(doc.amount_paid > 0)) {
    buttons.push(confirmButton(`Cancel ${kind}`, 'Confirm cancel', async () => {
      await api('POST', `${base}/cancel`);
      toast(`${title(kind)} ${doc.number} cancelled.`);
      reload();
    }, { testid: kind === 'invoice' ? 'invoice-cancel' : 'quote-cancel' }));
  }
  if (manage && doc.status === 'draft') {
    buttons.push(confirmButton('Delete draft', 'Confirm delete', async () => {
      await api('DELETE', base);
      forget(`${kind}s`);
      toast(`Draft ${doc.number} deleted.`);
      go(`#/${kind}s`);
    }, { testid: kind === 'invoice' ? 'invoice-delete' : 'quote-delete' }));
  }
  const parts = [h('div', { class: 'actions wrap' }, buttons), shareOut, pdfOut];
  if (manage && kind === 'invoice' && open) parts.push(paymentForm(doc, reload));
  return h('section', { class: 'card', 'aria-label': 'Actions' }, parts);
}

function paymentForm(doc, reload) {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-3' },
      field(`Amount (${doc.currency})`, input({ name: 'amount', inputmode: 'decimal', placeholder: majorText(doc.balance, doc.currency), testid: 'payment-amount' }),
        'Leave empty for the whole balance.'),
      field('Method', select({ name: 'method' }, [['bank_transfer', 'Bank transfer'], ['cash', 'Cash'], ['card', 'Card'],
        ['cheque', 'Cheque'], ['manual', 'Manual'], ['other', 'Other']], 'bank_transfer')),
      field('Received on', input({ name: 'received_on', type: 'date', value: today() }))),
    field('Reference (optional)', input({ name: 'reference' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'payment-save' }, 'Record payment')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const body = { method: els.method.value, reference: orNull(els.reference.value) };
      if (els.amount.value.trim()) body.amount = parseMoney(els.amount.value, doc.currency, 'amount');
      if (els.received_on.value) body.received_on = els.received_on.value;
      const { invoice } = await api('POST', `/invoices/${doc.id}/payments`, body);
      toast(`Payment recorded; ${invoice.number} is ${invoice.status}.`);
      reload();
    }, form);
  });
  return h('details', { class: 'subcard' }, h('summary', {}, 'Record a payment'), form);
}
