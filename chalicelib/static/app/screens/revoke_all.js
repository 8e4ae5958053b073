// "Revoke all" of a resource says who will lose access before it asks to confirm: the API
// lists each client whose grant would be revoked with the contacts who see it (or, for a
// claimed link, the one person who claimed it); nothing changes until "Revoke" is pressed.

import { api } from '../lib/api.js';
import { button, h } from '../lib/dom.js';
import { run, toast } from '../lib/forms.js';

function whoList(effect) {
  return h('ul', { class: 'who-loses', testid: 'revoke-all-who' }, effect.clients.map((c) => h('li', {},
    h('strong', {}, c.name), c.only_claimer ? ' (who claimed it): ' : ': ',
    c.contacts.length ? c.contacts.map((p) => `${p.name} <${p.email}>`).join(', ') : 'no contacts')),
    effect.more_clients ? h('li', {}, `and ${effect.more_clients} more client${effect.more_clients === 1 ? '' : 's'}`) : null);
}

export function revokeAllButton(resourceId, reload) {
  const panel = h('div', { class: 'confirm-panel', 'aria-live': 'polite', hidden: true, testid: 'revoke-all-confirm' });
  const ask = button('Revoke all…', { class: 'button danger', testid: 'grants-revoke', onclick: (e) => run(e.currentTarget, async () => {
    const effect = await api('GET', `/resources/${resourceId}/grants/revoke`);
    panel.hidden = false;
    if (!effect.grants) {
      panel.replaceChildren(h('p', {}, 'Nobody has access to revoke.'),
        button('Close', { class: 'button secondary small', onclick: () => { panel.hidden = true; ask.focus(); } }));
      return;
    }
    const people = effect.clients.reduce((n, c) => n + c.contacts.length, 0);
    const confirm = button(`Revoke access for ${people} ${people === 1 ? 'person' : 'people'}`, {
      class: 'button danger', testid: 'grants-revoke-confirm', onclick: (ev) => run(ev.currentTarget, async () => {
        const result = await api('POST', `/resources/${resourceId}/grants/revoke`);
        toast(`${result.changed} grant(s) revoked.`);
        reload();
      }) });
    panel.replaceChildren(
      h('p', { id: `revoke-who-${resourceId}` }, `These ${people === 1 ? 'person loses' : 'people lose'} access to this file:`),
      whoList(effect),
      h('div', { class: 'actions' }, confirm,
        button('Cancel', { class: 'button secondary', onclick: () => { panel.hidden = true; ask.focus(); } })));
    confirm.focus();
  }) });
  return [ask, panel];
}
