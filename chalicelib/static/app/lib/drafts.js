// Keeping the form being edited when the session ends (issue 17): when the API answers 401,
// the forms on screen are saved to sessionStorage with the screen's address and who was
// signed in; after signing in again (as the same person) the dashboard goes back to that
// screen and puts the values back. sessionStorage: the draft stays in this tab, is never sent
// anywhere, and is gone when the tab closes. Passwords and files are never saved.
// No DOM globals here: forms and storage are passed in, so tests run it under Node.

export const DRAFT_KEY = 'paydrop.draft';
const SKIP_TYPES = new Set(['password', 'file', 'submit', 'button', 'reset', 'hidden']);
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** What a person typed into `forms` (each an HTMLFormElement or alike): [[name, value], …] per form. */
export function snapshot(forms) {
  return forms.map((form) => [...form.elements]
    .filter((el) => el.name && !SKIP_TYPES.has(el.type) && !el.disabled)
    .map((el) => [el.name, el.type === 'checkbox' || el.type === 'radio' ? Boolean(el.checked) : el.value]));
}

/** Whether any form has something worth keeping (an empty form is not a draft). */
export const hasInput = (forms) => snapshot(forms).some((fields) => fields.some(([, v]) => v !== '' && v !== false));

/** Save the forms of screen `hash`, edited by `email`. */
export function saveDraft(storage, { hash, email, forms, now = Date.now() }) {
  storage.setItem(DRAFT_KEY, JSON.stringify({ hash, email, at: now, forms: snapshot(forms) }));
}

/** The saved draft, if it belongs to `email` and is less than a day old (else it is dropped). */
export function pendingDraft(storage, email, now = Date.now()) {
  let draft = null;
  try { draft = JSON.parse(storage.getItem(DRAFT_KEY)); } catch { draft = null; }
  if (!draft || draft.email !== email || !(now - draft.at < MAX_AGE_MS)) {
    if (draft) storage.removeItem(DRAFT_KEY);
    return null;
  }
  return draft;
}

export const dropDraft = (storage) => storage.removeItem(DRAFT_KEY);

/**
 * Put `draft`'s values back into `forms` (the same screen, built again). `grow(form, name)` may
 * add the field a value needs (a document's third line) and return true. Returns how many
 * fields were restored; `changed(el)` runs for each (so live totals recompute).
 */
export function applyDraft(forms, draft, { grow = () => false, changed = () => {} } = {}) {
  let restored = 0;
  draft.forms.forEach((fields, i) => {
    const form = forms[i];
    if (!form) return;
    for (const [name, value] of fields) {
      let el = form.elements.namedItem ? form.elements.namedItem(name) : null;
      for (let tries = 0; !el && tries < 50 && grow(form, name); tries += 1) el = form.elements.namedItem(name);
      if (!el || SKIP_TYPES.has(el.type)) continue;
      if (typeof value === 'boolean') el.checked = value; else el.value = value;
      changed(el);
      restored += 1;
    }
  });
  return restored;
}
