// Approvals: deliverables across projects (pending, changes requested, approved), asking a client
// to approve a project's file, and one deliverable's history: versions, decisions, comments.

import { ApiError, api, listAll } from '../lib/api.js';
import { badge, button, fact, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { run, toast } from '../lib/forms.js';
import { size, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { xhr } from '../lib/uploads.js';

const STATUSES = [['', 'All'], ['pending', 'Awaiting approval'], ['changes_requested', 'Changes requested'],
  ['approved', 'Approved']];

export async function approvalsScreen() {
  const [projects, resources] = await Promise.all([listAll('/projects', 300), listAll('/resources', 300)]);
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const status = select({ name: 'status', testid: 'approvals-status' }, STATUSES, '');
  const project = select({ name: 'project_id', testid: 'approvals-project' },
    [['', 'All projects'], ...projects.map((p) => [p.id, p.name])], '');
  const list = h('div', {});
  const refresh = async () => {
    const query = new URLSearchParams({ limit: '100' });
    if (status.value) query.set('status', status.value);
    if (project.value) query.set('project_id', project.value);
    const page = await api('GET', `/approvals?${query}`);
    list.replaceChildren(table('Deliverables', ['Deliverable', 'Project', 'Version', 'Status', 'Updated'],
      page.items.map((d) => h('tr', { testid: 'approval-row' },
        h('td', {}, link(`#/approvals/${d.id}`, d.title)),
        h('td', {}, names.get(d.project_id) || d.project_id),
        h('td', {}, String(d.current_version)),
        h('td', {}, badge(d.status_label, d.status)),
        h('td', {}, when(d.updated_at)))), 'No deliverables here.'));
  };
  status.addEventListener('change', () => run(null, refresh));
  project.addEventListener('change', () => run(null, refresh));
  await refresh();
  return h('div', {},
    pageHeader('Approvals'),
    can(MANAGE.resources) ? askForm(projects, resources.filter((r) => r.kind === 'file' && r.status === 'ready')) : null,
    section('Deliverables', h('div', { class: 'grid-2' }, field('Status', status), field('Project', project)), list));
}

function askForm(projects, files) {
  const project = select({ name: 'project_id', testid: 'ask-project' }, projects.map((p) => [p.id, p.name]));
  // Staff pick the milestone by its title: the chosen project's milestones, refilled when it changes.
  const milestone = select({ name: 'milestone_id', testid: 'ask-milestone' }, [['', 'None']], '');
  let latest = 0;
  const fillMilestones = async () => {
    const load = ++latest;
    const found = project.value ? (await api('GET', `/projects/${project.value}`)).milestones : [];
    if (load !== latest) return;
    const chosen = milestone.value;  // a choice made while this loaded survives the refill
    milestone.replaceChildren(...[['', 'None'], ...found.map((m) => [m.id, m.title])]
      .map(([value, label]) => h('option', { value }, label)));
    if (found.some((m) => m.id === chosen)) milestone.value = chosen;
  };
  project.addEventListener('change', () => run(null, fillMilestones));
  run(null, fillMilestones);
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Project', project),
      field('File (attached to the project)', select({ name: 'resource_id', testid: 'ask-resource' },
        files.map((r) => [r.resource_id, r.title])))),
    h('div', { class: 'grid-2' },
      field('Title shown to the client (optional)', input({ name: 'title', maxlength: 200 })),
      field('Milestone (optional)', milestone)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'ask-approval' }, 'Ask for approval')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const made = await api('POST', '/approvals', {
        project_id: els.project_id.value, resource_id: els.resource_id.value,
        title: els.title.value.trim() || null, milestone_id: els.milestone_id.value || null,
      });
      toast('The client was asked to approve it.');
      go(`#/approvals/${made.id}`);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Ask a client to approve a file'), form);
}

export async function approvalScreen(id) {
  const d = await api('GET', `/approvals/${id}`);
  // Staff read the project and milestone by name, not by id.
  const project = await api('GET', `/projects/${d.project_id}`).catch(() => null);
  const milestone = project?.milestones.find((m) => m.id === d.milestone_id);
  return h('div', {},
    pageHeader(d.title, link('#/approvals', 'All approvals')),
    section('Status', h('p', {}, badge(d.status_label, d.status), ` version ${d.current_version}`),
      h('dl', { class: 'facts' }, fact('Asked by', d.created_by), fact('Asked on', when(d.created_at)),
        fact('Project', project ? link(`#/projects/${project.id}`, project.name, { testid: 'approval-project' }) : d.project_id),
        fact('Milestone', d.milestone_id ? h('span', { testid: 'approval-milestone' }, milestone?.title || d.milestone_id) : null))),
    can(MANAGE.resources) ? actions(d) : null,
    ...d.versions.map(versionCard));
}

function versionCard(v) {
  const decision = v.decision;
  return h('section', { class: 'card', testid: `version-${v.version}` },
    h('h2', {}, `Version ${v.version} `, badge(v.status_label, v.status)),
    v.preview_url ? h('img', { src: v.preview_url, alt: `Version ${v.version}`, loading: 'lazy', class: 'approval-preview',
      width: 320 }) : null,
    h('p', {}, link(v.download_url, `Download ${v.filename || 'file'}`), ` ${size(v.size)} · uploaded ${when(v.created_at)}`),
    decision ? h('dl', { class: 'facts', testid: 'decision' },
      fact('Decision', decision.decision === 'approved' ? 'Approved' : 'Changes requested'),
      fact('By', `${decision.name} <${decision.email}>`), fact('At', when(decision.at)),
      fact('From', [decision.ip, decision.user_agent].filter(Boolean).join(' · ')),
      fact('Comment', decision.comment)) : null,
    v.comments.length ? h('ol', { class: 'comments' }, v.comments.map((c) => h('li', { testid: 'comment' },
      h('strong', {}, c.author), c.author_kind === 'contact' ? ' (client)' : ' (team)', ` · ${when(c.created_at)}`,
      h('p', { class: 'pre-line' }, c.text)))) : null);
}

function actions(d) {
  const text = h('textarea', { name: 'text', maxlength: 5000, rows: 3, testid: 'staff-comment' });
  const form = h('form', { class: 'stack', novalidate: true }, field(`Comment on version ${d.current_version}`, text),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary' }, 'Comment')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      await api('POST', `/approvals/${d.id}/comments`, { text: text.value });
      go(`#/approvals/${d.id}`);
    }, form);
  });
  const file = h('input', { type: 'file', id: 'new-version-input', class: 'file-input', testid: 'new-version-input' });
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  file.addEventListener('change', () => run(null, async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    await uploadVersion(d.id, chosen, status);
    toast('New version recorded: the client was asked to approve it.');
    go(`#/approvals/${d.id}`);
  }));
  const record = button('Record the resource’s latest file', { class: 'button secondary small', onclick: (e) => run(e.currentTarget, async () => {
    await api('POST', `/approvals/${d.id}/versions/confirm`);
    go(`#/approvals/${d.id}`);
  }) });
  return section('New version and comments',
    h('p', {}, file, h('label', { for: 'new-version-input', class: 'button' }, 'Upload a new version'), ' ', status),
    h('p', { class: 'hint' }, 'A new version asks the client to approve again; earlier versions stay in the history. ',
      'Replaced the file on its resource page already? ', record),
    form);
}

async function uploadVersion(id, chosen, status) {
  const contentType = chosen.type || 'application/octet-stream';
  status.textContent = 'Preparing…';
  const { upload } = await api('POST', `/approvals/${id}/versions`,
    { filename: chosen.name.slice(0, 255), size: chosen.size, content_type: contentType });
  if (upload.method !== 'post') {
    throw new ApiError('Files over 5 GB: replace the file on its resource page, then record it here.');
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', chosen);
  await xhr('POST', upload.url, form, (loaded) => { status.textContent = `Uploading… ${Math.round((loaded / chosen.size) * 100)} %`; });
  status.textContent = 'Recording…';
  await api('POST', `/approvals/${id}/versions/confirm`);
  status.textContent = '';
}
