// Uploads straight to S3: one presigned POST for small files, parts (resumable within the tab)
// for large ones; XMLHttpRequest because fetch cannot report upload progress.

import { ApiError, api } from './api.js';
import { button, h, link } from './dom.js';
import { report, toast } from './forms.js';
import { size } from './money.js';

const MULTIPART_KEY = 'paydrop.multipart';

export const uploadList = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });

function uploadItem(file) {
  const progress = h('progress', { max: 100, value: 0, testid: 'upload-progress', 'aria-label': `Uploading ${file.name}` });
  const status = h('span', { class: 'upload-status', 'aria-live': 'polite' }, 'Starting…');
  const actions = h('span', { class: 'upload-actions' });
  const item = h('li', { class: 'upload', testid: 'upload-item' },
    h('span', { class: 'upload-name' }, file.name, h('span', { class: 'muted small' }, ` ${size(file.size)}`)), progress, status, actions);
  uploadList.prepend(item);
  return {
    progress(percent) { progress.value = Math.min(100, Math.max(0, percent)); },
    status(text) { status.textContent = text; },
    done(resource) {
      progress.value = 100;
      status.replaceChildren(h('span', { class: 'ok', testid: 'upload-done' }, 'Uploaded'), ' · ',
        link(`#/resources/${resource.resource_id}`, 'Attach it'));
      actions.replaceChildren();
    },
    failed(message, retry) {
      status.replaceChildren(h('span', { class: 'error-text' }, message));
      actions.replaceChildren(retry ? button('Retry', { class: 'button secondary small', onclick: () => { actions.replaceChildren(); retry(); } }) : '');
    },
  };
}

const multipartRecords = {
  key: (file) => `${file.name}|${file.size}|${file.lastModified}`,
  all() { try { return JSON.parse(sessionStorage.getItem(MULTIPART_KEY)) || {}; } catch { return {}; } },
  get(file) { return this.all()[this.key(file)] || null; },
  set(file, resourceId) {
    const all = this.all();
    if (resourceId) all[this.key(file)] = resourceId; else delete all[this.key(file)];
    sessionStorage.setItem(MULTIPART_KEY, JSON.stringify(all));
  },
};

/** Upload `file` with its progress in the list; `onDone` runs after each success. */
export function startUpload(file, onDone) {
  const ui = uploadItem(file);
  const attempt = async () => {
    try {
      const resource = await uploadFile(file, ui);
      ui.done(resource);
      toast(`${file.name} uploaded.`);
      onDone();
    } catch (error) {
      ui.failed(error.message || 'The upload failed.', attempt);
      report(error);
    }
  };
  attempt();
}

async function uploadFile(file, ui) {
  if (!file.size) throw new ApiError(`${file.name} is empty; there is nothing to upload.`);
  const contentType = file.type || 'application/octet-stream';
  // An interrupted multipart upload of this very file resumes from the parts S3 already has.
  const pendingId = multipartRecords.get(file);
  if (pendingId) {
    const parts = await api('GET', `/resources/${pendingId}/upload/parts`).catch(() => null);
    if (parts) return uploadParts(file, pendingId, null, parts.parts, ui);
    multipartRecords.set(file, null);
  }
  ui.status('Preparing…');
  const { resource, upload } = await api('POST', '/resources', {
    kind: 'file', title: file.name.slice(0, 200),
    file: { filename: file.name.slice(0, 255), size: file.size, content_type: contentType },
  });
  if (upload.method === 'multipart') {
    multipartRecords.set(file, resource.resource_id);
    return uploadParts(file, resource.resource_id, upload, [], ui);
  }
  ui.status('Uploading…');
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  await xhr('POST', upload.url, form, (loaded) => ui.progress((loaded / file.size) * 99));
  ui.status('Confirming…');
  return api('POST', `/resources/${resource.resource_id}/upload/confirm`);
}

/** Send with XMLHttpRequest (fetch cannot report upload progress); resolves with the XHR. */
export function xhr(method, url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded, event.total); };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request);
      else reject(new ApiError(`Storage refused the upload (${request.status}).`, { status: request.status }));
    };
    request.onerror = () => reject(new ApiError('The upload was interrupted; check your connection and retry.'));
    request.onabort = () => reject(new ApiError('The upload was cancelled.'));
    request.send(body);
  });
}

/** The server's part size (domain/uploads.py): whole MB, at least 16 MB, at most 10,000 parts. */
function partSizeFor(bytes) {
  const MB = 1024 * 1024;
  return Math.max(16 * MB, Math.ceil(bytes / 10000 / MB) * MB);
}

async function uploadParts(file, resourceId, plan, already, ui) {
  const partSize = plan?.part_size || partSizeFor(file.size);
  const count = Math.ceil(file.size / partSize);
  const done = new Map(already.map((p) => [p.part_number, p.etag]));
  const loaded = new Map(already.map((p) => [p.part_number, p.size]));
  const showProgress = () => ui.progress(([...loaded.values()].reduce((a, b) => a + b, 0) / file.size) * 99);
  showProgress();
  ui.status(done.size ? `Resuming (${done.size} of ${count} parts already stored)…` : `Uploading ${count} parts…`);
  const todo = [];
  for (let n = 1; n <= count; n += 1) if (!done.has(n)) todo.push(n);
  const urls = new Map(); // part number → presigned PUT URL, asked for up to 100 at a time
  let asking = null;
  const urlFor = async (n) => {
    while (!urls.has(n)) {
      if (!asking) {
        const batch = [n, ...todo.filter((m) => !urls.has(m))].slice(0, 100);
        asking = api('POST', `/resources/${resourceId}/upload/parts`, { part_numbers: batch })
          .then(({ parts }) => { for (const part of parts) urls.set(part.part_number, part.url); })
          .finally(() => { asking = null; });
      }
      await asking;
    }
    const url = urls.get(n);
    urls.delete(n);
    return url;
  };
  let failed = false; // one part gave up: the others stop taking parts (Retry resumes)
  const worker = async () => {
    while (todo.length && !failed) {
      const n = todo.shift();
      const blob = file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
      let lastError;
      for (let tryNo = 0; tryNo < 3; tryNo += 1) {
        try {
          const request = await xhr('PUT', await urlFor(n), blob, (bytes) => { loaded.set(n, bytes); showProgress(); });
          const etag = request.getResponseHeader('ETag');
          if (!etag) throw new ApiError('Storage did not return the part’s ETag (check the bucket’s CORS ExposeHeaders).');
          done.set(n, etag);
          loaded.set(n, blob.size);
          showProgress();
          lastError = null;
          break;
        } catch (error) {
          lastError = error;
        }
      }
      if (lastError) {
        failed = true;
        throw lastError;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  ui.status('Finishing…');
  const parts = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
  const resource = await api('POST', `/resources/${resourceId}/upload/complete`, { parts });
  multipartRecords.set(file, null);
  return resource;
}
