// Settings: the business, branding (with a live preview), payments, the client portal.
// `settingsScreen` puts together the branding controls, the form's sections and the save.

import { api, state } from '../lib/api.js';
import { button, checkbox, field, h, input, link, pageHeader, section, select } from '../lib/dom.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { localeOptions } from '../lib/locales.js';
import { majorText, orNull, parseMoney } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { xhr } from '../lib/uploads.js';
import { palette } from '../rules.js';
import { selfRegistrationSection } from './self_registration.js';

export async function settingsScreen() {
  const b = await api('GET', '/business');
  state.business = b;
  const editable = can(MANAGE.business);
  const branding = brandingControls(b, editable);
  const form = h('form', { class: 'stack', novalidate: true }, settingsSections(b, editable, branding),
    editable ? h('div', { class: 'actions sticky' }, h('button', { type: 'submit', class: 'button', testid: 'settings-save' }, 'Save settings')) : null);
  branding.logoInput.addEventListener('change', () => run(null, () => uploadLogo(branding), form));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), () => saveSettings(form, branding), form);
  });
  branding.paint();
  return h('div', {}, pageHeader('Settings'), editable ? null : h('p', { class: 'hint' }, 'You can view the settings; an owner or admin can change them.'), form,
    await selfRegistrationSection());
}

/** Colours, logo and the client page preview; `logoKey` is undefined: unchanged; null: removed;
 *  a string: newly uploaded. */
function brandingControls(b, editable) {
  const brand = h('input', { type: 'color', name: 'brand_color', value: b.brand_color || '#0f766e', disabled: !editable, testid: 'settings-brand-color' });
  const accent = h('input', { type: 'color', name: 'accent_color', value: b.accent_color || '#f0fdfa', disabled: !editable, testid: 'settings-accent-color' });
  const logoImg = h('img', { alt: 'Current logo', class: 'logo', hidden: !b.logo_url, src: b.logo_url || undefined });
  const previewName = h('strong', {}, b.name);
  const previewHead = h('div', { class: 'preview-head' }, h('img', { alt: '', class: 'preview-logo', hidden: true }), previewName);
  const previewButton = h('span', { class: 'preview-button' }, 'Pay now');
  const preview = h('div', { class: 'client-preview', 'aria-label': 'Preview of the client page header', role: 'img' },
    previewHead, h('div', { class: 'preview-body' }, h('p', {}, 'Invoice INV-0001 · 100.00 ', b.currency), previewButton));
  const branding = { brand, accent, logoImg, preview, logoKey: undefined };
  branding.paint = () => paintPreview(branding, previewHead, previewButton);
  brand.addEventListener('input', branding.paint);
  accent.addEventListener('input', branding.paint);
  branding.logoInput = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', name: 'logo', disabled: !editable, testid: 'settings-logo' });
  branding.logoProgress = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': 'Logo upload' });
  branding.removeLogo = button('Remove logo', { class: 'button secondary small', hidden: !editable, onclick: () => {
    branding.logoKey = null;
    logoImg.hidden = true;
    branding.paint();
  } });
  return branding;
}

/** The pairs the client page will use (domain/colours.py, via rules.js). */
function paintPreview({ brand, accent, logoImg, preview }, previewHead, previewButton) {
  const colours = palette(brand.value, accent.value);
  previewHead.style.backgroundColor = colours.fill;
  previewHead.style.color = colours.on_fill;
  const body = preview.querySelector('.preview-body');
  body.style.backgroundColor = colours.accent;
  body.style.color = colours.on_accent;
  previewButton.style.backgroundColor = colours.fill;
  previewButton.style.color = colours.on_fill;
  const img = previewHead.querySelector('img');
  img.hidden = logoImg.hidden;
  if (!logoImg.hidden) img.src = logoImg.src;
}

/** The chosen logo straight to S3 (presigned POST); saving the settings then points to it. */
async function uploadLogo(branding) {
  const { logoInput, logoProgress, logoImg } = branding;
  const file = logoInput.files[0];
  if (!file) return;
  logoProgress.hidden = false;
  const plan = await api('POST', '/business/logo-upload', { content_type: file.type, size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(plan.fields)) form.append(name, value);
  form.append('file', file);
  await xhr('POST', plan.url, form, (loaded) => { logoProgress.value = (loaded / file.size) * 100; });
  logoProgress.value = 100;
  branding.logoKey = plan.key;
  logoImg.src = URL.createObjectURL(file);
  logoImg.hidden = false;
  branding.paint();
  toast('Logo uploaded; save the settings to use it.');
}

function settingsSections(b, editable, branding) {
  const off = new Set(b.portal_tabs_off || []);
  const cb = (name, checked, testid) => h('input', { type: 'checkbox', name, checked, testid, disabled: !editable });
  const text = (name, value, attrs = {}) => input({ name, value: value ?? '', disabled: !editable, ...attrs });
  const area = (name, value) => h('textarea', { name, rows: 3, disabled: !editable }, value || '');
  const { brand, accent, logoImg, removeLogo, logoInput, logoProgress, preview } = branding;
  return [
    section('Business',
      h('div', { class: 'grid-2' },
        field('Name', text('name', b.name, { testid: 'settings-name' })), field('Email', text('email', b.email, { type: 'email' })),
        field('Phone', text('phone', b.phone, { type: 'tel' })), field('Tax number', text('tax_number', b.tax_number)),
        field('Currency', text('currency', b.currency, { maxlength: 3 })),
        field('Payment terms (days)', text('payment_terms_days', String(b.payment_terms_days), { inputmode: 'numeric' })),
        field('PDF paper size', select({ name: 'paper_size', disabled: !editable }, [['A4', 'A4'], ['Letter', 'Letter']], b.paper_size))),
      field('Address', area('address', b.address))),
    section('Branding',
      h('div', { class: 'branding' },
        h('div', { class: 'stack' },
          h('div', { class: 'grid-2' }, field('Brand colour', brand), field('Accent colour', accent)),
          h('div', { class: 'field' }, h('span', { class: 'label' }, 'Logo'), logoImg, removeLogo),
          field('Upload a new logo (PNG, JPEG or WebP, up to 1 MB)', logoInput), logoProgress),
        h('div', {}, h('p', { class: 'label' }, 'Client page preview'), preview)),
      field('Invoice footer', area('invoice_footer', b.invoice_footer)),
      field('Default terms', area('default_terms', b.default_terms))),
    section('Payments',
      checkbox('Online payment with Stripe (clients see a Pay button)', cb('stripe_enabled', b.stripe_enabled, 'settings-stripe')),
      h('p', { class: 'hint' }, b.stripe_enabled ? 'Stripe: on. The API keys are stored as SSM parameters (see the README).' : 'Stripe: off. Clients pay by bank transfer.'),
      checkbox('Allow part payments by default', cb('allow_partial_default', b.allow_partial_default)),
      field(`Minimum part payment (${b.currency})`, text('minimum_partial_default', majorText(b.minimum_partial_default, b.currency), { inputmode: 'decimal' }))),
    section('Client portal',
      h('p', { class: 'hint' }, 'The invoices tab is always shown.'),
      checkbox('Show the Quotes tab', cb('tab_quotes', !off.has('quotes'))),
      checkbox('Show the Payments tab', cb('tab_payments', !off.has('payments'))),
      checkbox('Show the Files tab', cb('tab_files', !off.has('files'))),
      checkbox('Turn accepted quotes into invoices automatically', cb('quote_auto_convert', b.quote_auto_convert)),
      checkbox('Clients must accept the terms to approve a quote', cb('quote_requires_terms', b.quote_requires_terms)),
      checkbox('Show the Projects tab', cb('tab_projects', !off.has('projects'))),
      field('When a milestone with an invoice is completed', select({ name: 'milestone_invoice_action', disabled: !editable,
        testid: 'settings-milestone-invoice' }, [['send', 'Send it'], ['draft', 'Keep a draft']],
      b.milestone_invoice_action || 'send'))),
    section('Payment reminders',
      h('p', { class: 'hint' }, 'Emailed to the client’s contacts who want reminders, once per step, while an invoice is unpaid. Leave blank for no reminder.'),
      h('div', { class: 'grid-2' },
        field('Days before the due date (1–30)', text('reminder_days_before', b.reminder_days_before == null ? '' : String(b.reminder_days_before), { inputmode: 'numeric' })),
        field('Days after the due date (1–30)', text('reminder_days_after', b.reminder_days_after == null ? '' : String(b.reminder_days_after), { inputmode: 'numeric' }))),
      checkbox('On the due date', cb('reminder_on_due', b.reminder_on_due))),
    section('Time zone',
      field('Time zone (recurring invoices are dated in it)', text('time_zone', b.time_zone || 'UTC', { testid: 'settings-time-zone' }),
        'A name like Europe/Paris, America/New_York or UTC.')),
    section('Access logs',
      field('Keep access logs for (days, 30–3650)', text('log_retention_days', String(b.log_retention_days), { inputmode: 'numeric', testid: 'settings-retention' }))),
    section('Emails',
      field('Write money and dates in emails as', select({ name: 'locale', disabled: !editable, testid: 'settings-locale' },
        localeOptions(b.locale), b.locale), 'A client can have its own (Clients). The Emails screen shows every email.'),
      h('p', {}, link('#/emails', 'Preview your emails'))),
  ];
}

/** The PATCH body from the form; throws FieldError on the first bad field. */
function settingsBody(els, { brand, accent, logoKey }) {
  const whole = (name, what) => {
    const value = els[name].value.trim();
    if (!/^\d+$/.test(value)) throw new FieldError(`${what} must be a whole number.`, name);
    return Number(value);
  };
  const currency = els.currency.value.trim().toUpperCase();
  const body = {
    name: els.name.value.trim(), email: orNull(els.email.value), phone: orNull(els.phone.value),
    tax_number: orNull(els.tax_number.value), address: orNull(els.address.value), currency,
    payment_terms_days: whole('payment_terms_days', 'Payment terms'), paper_size: els.paper_size.value,
    brand_color: brand.value, accent_color: accent.value,
    invoice_footer: orNull(els.invoice_footer.value), default_terms: orNull(els.default_terms.value),
    stripe_enabled: els.stripe_enabled.checked, allow_partial_default: els.allow_partial_default.checked,
    minimum_partial_default: els.minimum_partial_default.value.trim()
      ? parseMoney(els.minimum_partial_default.value, currency, 'minimum_partial_default', 'The minimum') : 0,
    portal_tabs_off: ['quotes', 'payments', 'files', 'projects'].filter((tab) => !els[`tab_${tab}`].checked),
    milestone_invoice_action: els.milestone_invoice_action.value,
    quote_auto_convert: els.quote_auto_convert.checked, quote_requires_terms: els.quote_requires_terms.checked,
    log_retention_days: whole('log_retention_days', 'The retention'),
    reminder_days_before: els.reminder_days_before.value.trim() ? whole('reminder_days_before', 'Days before the due date') : null,
    reminder_on_due: els.reminder_on_due.checked,
    reminder_days_after: els.reminder_days_after.value.trim() ? whole('reminder_days_after', 'Days after the due date') : null,
    time_zone: els.time_zone.value.trim() || 'UTC',
    locale: els.locale.value,
  };
  if (logoKey !== undefined) body.logo_key = logoKey;
  return body;
}

async function saveSettings(form, branding) {
  const saved = await api('PATCH', '/business', settingsBody(form.elements, branding));
  state.business = saved;
  document.getElementById('brand-name').textContent = saved.name;
  toast('Settings saved.');
  go('#/settings');
}
