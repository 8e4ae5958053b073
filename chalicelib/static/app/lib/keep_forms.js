// The DOM side of drafts.js: save the screen's forms when the session ends, put them back
// after signing in again. main flow: api.js (401) → keepForms() → signOut; session.js
// (signed in) → draftAddress(); router.js (screen shown) → restoreForms().

import { dropDraft, applyDraft, hasInput, pendingDraft, saveDraft } from './drafts.js';
import { toast } from './forms.js';

const viewForms = () => [...document.querySelectorAll('#view form')];

/** Save the forms on screen (if anything was typed) before the session is closed. */
export function keepForms(email) {
  const forms = viewForms();
  if (!email || !forms.length || !hasInput(forms)) return false;
  saveDraft(sessionStorage, { hash: location.hash || '#/invoices', email, forms });
  return true;
}

/** Where to go after signing in as `email`: the screen of their saved draft, if any. */
export function draftAddress(email) {
  return pendingDraft(sessionStorage, email)?.hash || null;
}

/** Forget any saved draft (signing out on purpose). */
export const forgetForms = () => dropDraft(sessionStorage);

// A document's lines are added with its "Add line" button: a draft with three lines needs three rows.
function grow(form, name) {
  const add = /^lines\[\d+\]\./.test(name) ? form.querySelector('[data-testid="line-add"]') : null;
  if (!add) return false;
  add.click();
  return true;
}

/** After screen `hash` is shown to `email`: put its saved draft back, once. */
export function restoreForms(hash, email) {
  const draft = pendingDraft(sessionStorage, email);
  if (!draft || draft.hash !== hash) return 0;
  dropDraft(sessionStorage);
  const forms = viewForms();
  const restored = applyDraft(forms, draft, {
    grow,
    changed: (el) => el.dispatchEvent(new Event(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change' : 'input', { bubbles: true })),
  });
  if (restored) {
    for (const form of forms) {
      const details = form.closest('details');
      if (details) details.open = true;
    }
    forms[0]?.querySelector('input, select, textarea')?.focus();
    toast('You were signed out; what you had typed is back. Check it and save.');
  }
  return restored;
}
