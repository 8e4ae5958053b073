// Projects: the list, one project with its milestones (add, edit, reorder, complete, delete) and progress.

import { api, clientsList, documentsList, forget, listAll } from '../lib/api.js';
import { badge, button, confirmButton, fact, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { orNull, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';

const STATUSES = [['planned', 'Planned'], ['active', 'Active'], ['on_hold', 'On hold'], ['done', 'Done']];
const MILESTONE_STATUSES = [['planned', 'Planned'], ['active', 'In progress']];

export async function projectsScreen() {
  const [projects, clients] = await Promise.all([listAll('/projects'), clientsList()]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = projects.map((p) => h('tr', { testid: 'project-row' },
    h('td', {}, link(`#/projects/${p.id}`, p.name)),
    h('td', {}, names.get(p.client_id) || ''),
    h('td', {}, badge(p.status)),
    h('td', {}, when(p.created_at))));
  return h('div', {},
    pageHeader('Projects'),
    can(MANAGE.clients) ? newProjectForm(clients) : null,
    section('All projects', table('Projects', ['Name', 'Client', 'Status', 'Started'], rows, 'No projects yet.')));
}

function newProjectForm(clients) {
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-project-title' },
    h('h2', { id: 'new-project-title' }, 'New project'),
    h('div', { class: 'grid-2' },
      field('Client', select({ name: 'client_id', testid: 'project-client' },
        [['', 'Choose a client'], ...clients.map((c) => [c.client_id, c.name])])),
      field('Name', input({ name: 'name', testid: 'project-name' }))),
    field('Description (optional)', h('textarea', { name: 'description', rows: 2, testid: 'project-description' })),
    field('Status', select({ name: 'status' }, STATUSES, 'active')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'project-save' }, 'Save project')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      if (!els.client_id.value) throw new FieldError('Choose the client this project is for.', 'client_id');
      if (!els.name.value.trim()) throw new FieldError('Enter the project’s name.', 'name');
      const project = await api('POST', '/projects', {
        client_id: els.client_id.value, name: els.name.value.trim(),
        description: orNull(els.description.value), status: els.status.value,
      });
      toast(`Project “${project.name}” saved.`);
      go(`#/projects/${project.id}`);
    }, form);
  });
  return form;
}

export async function projectScreen(projectId) {
  const project = await api('GET', `/projects/${projectId}`);
  const invoices = can(MANAGE.invoices) ? (await documentsList('invoice'))
    .filter((d) => d.client_id === project.client_id && d.status !== 'cancelled') : [];
  const manage = can(MANAGE.clients);
  return h('div', {},
    pageHeader(project.name, link('#/projects', '← All projects', { class: 'button secondary small' })),
    summary(project, manage),
    section('Milestones', milestoneTable(project, invoices, manage)),
    manage ? milestoneForm(project, invoices, null) : null);
}

function summary(project, manage) {
  const bar = h('progress', { max: 100, value: project.progress, 'aria-label': 'Progress' });
  return h('section', { class: 'card stack' },
    h('dl', { class: 'facts' },
      fact('Status', badge(project.status)),
      fact('Progress', h('span', { testid: 'project-progress' }, bar, ` ${project.progress} %`,
        project.progress_set_by_staff === null ? ' (from milestones)' : ' (set by staff)')),
      fact('Description', project.description)),
    manage ? projectSettings(project) : null);
}

function projectSettings(project) {
  const form = h('form', { class: 'grid-2', novalidate: true },
    field('Status', select({ name: 'status', testid: 'project-status' }, STATUSES, project.status)),
    field('Progress % (empty: from milestones)', input({
      name: 'progress', inputmode: 'numeric', testid: 'project-progress-input',
      value: project.progress_set_by_staff === null ? '' : String(project.progress_set_by_staff),
    })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary', testid: 'project-update' }, 'Update project')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const text = form.elements.progress.value.trim();
      const progress = text === '' ? null : Number(text);
      if (progress !== null && !(Number.isInteger(progress) && progress >= 0 && progress <= 100)) {
        throw new FieldError('Progress is a whole number from 0 to 100, or empty.', 'progress');
      }
      await api('PATCH', `/projects/${project.id}`, { status: form.elements.status.value, progress });
      toast('Project updated.');
      go(`#/projects/${project.id}`);
    }, form);
  });
  return form;
}

function milestoneTable(project, invoices, manage) {
  const numbers = new Map(invoices.map((d) => [d.id, d.number]));
  const ids = project.milestones.map((m) => m.id);
  const rows = project.milestones.map((m, i) => h('tr', { testid: 'milestone-row' },
    h('td', {}, h('strong', {}, m.title), m.description ? h('div', { class: 'muted' }, m.description) : null),
    h('td', {}, m.due_date || ''),
    h('td', {}, badge(m.status === 'active' ? 'in progress' : m.status, m.status)),
    h('td', {}, m.invoice_id ? link(`#/invoices/${m.invoice_id}`, numbers.get(m.invoice_id) || 'Invoice') : ''),
    h('td', { class: 'row-actions' }, manage ? milestoneActions(project, m, i, ids, invoices) : null)));
  return table('Milestones', ['Milestone', 'Due', 'Status', 'Invoice', ''], rows, 'No milestones yet.');
}

function milestoneActions(project, m, i, ids, invoices) {
  const move = (delta) => async () => {
    const order = [...ids];
    [order[i], order[i + delta]] = [order[i + delta], order[i]];
    await api('PUT', `/projects/${project.id}/milestones`, { order });
    go(`#/projects/${project.id}`);
  };
  const path = `/projects/${project.id}/milestones/${m.id}`;
  return [
    button('↑', { class: 'button secondary small', 'aria-label': `Move “${m.title}” up`, testid: 'milestone-up',
      disabled: i === 0, onclick: (e) => run(e.currentTarget, move(-1)) }),
    button('↓', { class: 'button secondary small', 'aria-label': `Move “${m.title}” down`, testid: 'milestone-down',
      disabled: i === ids.length - 1, onclick: (e) => run(e.currentTarget, move(1)) }),
    m.status !== 'done' ? button('Complete', { class: 'button small', testid: 'milestone-complete',
      onclick: (e) => run(e.currentTarget, async () => {
        const done = await api('POST', `${path}/complete`);
        forget('invoices');
        toast(done.invoice ? `“${m.title}” done; invoice ${done.invoice.number} is ${done.invoice.status}.` : `“${m.title}” done.`);
        go(`#/projects/${project.id}`);
      }) }) : null,
    button('Edit', { class: 'button secondary small', testid: 'milestone-edit', onclick: (e) => {
      const row = e.currentTarget.closest('tr');
      row.after(h('tr', {}, h('td', { colspan: 5 }, milestoneForm(project, invoices, m))));
      e.currentTarget.disabled = true;
    } }),
    confirmButton('Delete', 'Confirm delete', async () => {
      await api('DELETE', path);
      toast(`“${m.title}” deleted.`);
      go(`#/projects/${project.id}`);
    }, { class: 'button danger small', testid: 'milestone-delete' }),
  ];
}

function milestoneForm(project, invoices, existing) {
  const titleId = existing ? `edit-${existing.id}` : 'new-milestone-title';
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': titleId, testid: 'milestone-form' },
    h('h2', { id: titleId }, existing ? `Edit “${existing.title}”` : 'Add a milestone'),
    h('div', { class: 'grid-2' },
      field('Title', input({ name: 'title', value: existing?.title || '', testid: 'milestone-title' })),
      field('Due date (optional)', input({ name: 'due_date', type: 'date', value: existing?.due_date || '', testid: 'milestone-due' }))),
    field('Description (optional)', h('textarea', { name: 'description', rows: 2 }, existing?.description || '')),
    h('div', { class: 'grid-2' },
      existing?.status === 'done' ? null : field('Status', select({ name: 'status' }, MILESTONE_STATUSES, existing?.status || 'planned')),
      field('Bills through invoice (optional)', select({ name: 'invoice_id', testid: 'milestone-invoice' },
        invoiceOptions(invoices, existing), existing?.invoice_id || ''))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'milestone-save' },
      existing ? 'Save milestone' : 'Add milestone')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      if (!els.title.value.trim()) throw new FieldError('Enter the milestone’s title.', 'title');
      const body = { title: els.title.value.trim(), description: orNull(els.description.value),
        due_date: orNull(els.due_date.value) };
      const invoiceId = orNull(els.invoice_id.value);
      if (invoiceId !== (existing?.invoice_id || null)) body.invoice_id = invoiceId; // unchanged: not sent
      if (els.status) body.status = els.status.value;
      if (existing) await api('PATCH', `/projects/${project.id}/milestones/${existing.id}`, body);
      else await api('POST', `/projects/${project.id}/milestones`, body);
      toast(existing ? 'Milestone saved.' : 'Milestone added.');
      go(`#/projects/${project.id}`);
    }, form);
  });
  return form;
}

function invoiceOptions(invoices, existing) {
  const options = [['', 'No invoice'], ...invoices.map((d) => [d.id, `${d.number} (${d.status})`])];
  // The current invoice stays selectable even when the list does not hold it (no invoice permission).
  if (existing?.invoice_id && !invoices.some((d) => d.id === existing.invoice_id)) {
    options.push([existing.invoice_id, 'Current invoice']);
  }
  return options;
}
