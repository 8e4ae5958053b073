// Resources: the upload card, the preview grid, links.

import { api, listAll } from '../lib/api.js';
import { badge, button, field, h, input, link, pageHeader, section } from '../lib/dom.js';
import { run, toast } from '../lib/forms.js';
import { size } from '../lib/money.js';
import { MANAGE, can } from '../lib/session.js';
import { startUpload, uploadList } from '../lib/uploads.js';

let resourceGrid = null;

export async function resourcesScreen() {
  resourceGrid = h('ul', { class: 'resource-grid', 'aria-label': 'Resources' });
  await fillGrid(resourceGrid);
  return h('div', {},
    pageHeader('Resources', button('Refresh', { class: 'button secondary small', onclick: (e) => run(e.currentTarget, () => fillGrid(resourceGrid)) })),
    can(MANAGE.resources) ? uploadCard() : null,
    can(MANAGE.resources) ? linkForm() : null,
    section('Files and links', resourceGrid));
}

async function fillGrid(grid) {
  const items = await listAll('/resources', 300);
  grid.replaceChildren(...items.map(resourceCard));
  if (!items.length) grid.append(h('li', { class: 'empty' }, 'No resources yet. Upload a file to start.'));
  if (items.some((r) => r.preview_status === 'pending')) {
    setTimeout(() => { if (grid.isConnected) fillGrid(grid).catch(() => {}); }, 3000);
  }
}

function refreshGrid() {
  if (resourceGrid?.isConnected) fillGrid(resourceGrid).catch(() => {});
}

function resourceCard(r) {
  const ext = (r.filename || r.url || '').split('.').pop().slice(0, 4).toUpperCase();
  const thumb = r.preview_url
    ? h('img', { src: r.preview_url, alt: '', loading: 'lazy', width: 160, height: 120, class: 'thumb' })
    : h('span', { class: 'thumb icon', 'aria-hidden': 'true' }, r.kind === 'link' ? 'LINK' : ext || 'FILE');
  const meta = r.kind === 'link' ? r.url : [size(r.size), r.content_type].filter(Boolean).join(' · ');
  const status = r.upload_in_progress ? 'uploading' : r.status;
  return h('li', { class: 'resource', testid: 'resource-row' },
    thumb,
    h('div', { class: 'resource-body' },
      link(`#/resources/${r.resource_id}`, r.title, { class: 'resource-title' }),
      h('div', { class: 'muted small' }, meta),
      h('div', {}, badge(status), r.kind === 'file' && r.preview_status !== 'ready' && r.preview_status !== 'none'
        ? [' ', badge(`preview ${r.preview_status}`, r.preview_status)] : null,
        // The file's content contradicts its declared type (say, a program named .jpg).
        r.type_warning ? [' ', h('span', { class: 'badge badge-type_warning', title: r.type_warning, testid: 'type-warning' },
          'type mismatch')] : null)));
}

function uploadCard() {
  const inputEl = h('input', { type: 'file', id: 'upload-input', multiple: true, testid: 'upload-input', class: 'file-input' });
  inputEl.addEventListener('change', () => {
    for (const file of inputEl.files) startUpload(file, refreshGrid);
    inputEl.value = '';
  });
  // The input stays focusable (visually hidden); its label is the visible button.
  const zone = h('div', { class: 'dropzone', testid: 'upload-dropzone' },
    h('p', {}, h('strong', {}, 'Drag files here'), ' or choose them:'),
    inputEl, h('label', { for: 'upload-input', class: 'button secondary' }, 'Choose files'),
    h('p', { class: 'hint' }, 'Files go straight to storage; up to 50 GB each (large files upload in parts and can resume).'));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    for (const file of event.dataTransfer.files) startUpload(file, refreshGrid);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'upload-title' }, h('h2', { id: 'upload-title' }, 'Upload files'), zone, uploadList);
}

// A file dropped outside the zone must not replace the dashboard with the file.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

function linkForm() {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Title', input({ name: 'title', testid: 'link-title' })),
      field('Link (https://…)', input({ name: 'url', type: 'url', testid: 'link-url' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary', testid: 'link-save' }, 'Add link')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('POST', '/resources', { kind: 'link', title: els.title.value.trim(), url: els.url.value.trim() });
      toast('Link added.');
      form.reset();
      if (resourceGrid?.isConnected) await fillGrid(resourceGrid);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Add a link instead of a file'), form);
}
