// Settings → self-registration: on/off, the public page's URL (copy it), a new URL that closes the old one.

import { api } from '../lib/api.js';
import { button, h, link, section } from '../lib/dom.js';
import { copyAndTell } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { MANAGE, can } from '../lib/session.js';

export async function selfRegistrationSection() {
  const body = h('div', { class: 'stack', testid: 'self-registration' });
  const paint = (setting) => {
    const editable = can(MANAGE.business);
    body.replaceChildren(
      h('p', { class: 'hint' }, 'New clients register themselves on a public page; the client is created when they confirm their email address.'),
      setting.enabled
        ? h('p', {}, 'Registration page: ', link(setting.url, setting.url, { target: '_blank', rel: 'noopener', testid: 'self-registration-url' }))
        : h('p', {}, 'Off: nobody can register.'),
      editable ? h('div', { class: 'actions' },
        button(setting.enabled ? 'Turn off' : 'Turn on', { class: 'button secondary', testid: 'self-registration-toggle',
          onclick: (e) => run(e.currentTarget, async () => {
            paint(await api('PUT', '/business/self-registration', { enabled: !setting.enabled }));
            toast(setting.enabled ? 'Self-registration is off.' : 'Self-registration is on.');
          }) }),
        setting.enabled ? button('Copy link', { class: 'button secondary', onclick: () => copyAndTell(setting.url, 'Registration link') }) : null,
        setting.enabled ? button('New link (the old one stops working)', { class: 'button secondary', testid: 'self-registration-rotate',
          onclick: (e) => run(e.currentTarget, async () => { paint(await api('POST', '/business/self-registration/rotate')); }) }) : null)
        : null);
  };
  paint(await api('GET', '/business/self-registration'));
  return section('Self-registration', body);
}
