// Copying links, saving and sharing files the API hands out (PDFs, CSV exports).

import { api } from './api.js';
import { h } from './dom.js';
import { toast } from './forms.js';

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', readonly: true }, text);
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
  }
}

export async function copyAndTell(text, what = 'Link') {
  toast(await copyText(text) ? `${what} copied.` : `${what} ready: copy it from the page.`);
}

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function filenameOf(disposition, fallback) {
  const match = /filename="?([^";]+)"?/i.exec(disposition || '');
  return match ? match[1] : fallback;
}

/** The PDF through the device's share sheet when it can share files, else downloaded. */
export async function sharePdf(path, filename, out) {
  const { url } = await api('GET', path);
  let file = null;
  try {
    const res = await fetch(url);
    if (res.ok) file = new File([await res.blob()], filename, { type: 'application/pdf' });
  } catch { file = null; }
  if (file && navigator.canShare && navigator.canShare({ files: [file] })) {
    try {
      await navigator.share({ files: [file], title: filename });
      toast('PDF shared.');
      return;
    } catch (error) {
      if (error?.name === 'AbortError') return; // the user closed the share sheet
    }
  }
  if (file) {
    saveBlob(file, filename);
    toast(`${filename} downloaded.`);
    return;
  }
  out?.replaceChildren('PDF ready: ', h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'pdf-url' }, `open ${filename}`));
  toast('PDF ready: open it from the link on the page.');
}

export async function downloadUrl(url, filename) {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(String(res.status));
    saveBlob(await res.blob(), filename);
    toast(`${filename} downloaded.`);
  } catch {
    window.open(url, '_blank', 'noopener');
  }
}

/**
 * "Preview as client": a one-time link from the staff API (`POST …/preview-link`) opened in a
 * new tab. The tab is opened on the click itself (popup blockers allow only that) and sent to
 * the link once it arrives; the link works once, for two minutes, and counts no view.
 */
export async function openPreview(path) {
  const tab = window.open('', '_blank');
  try {
    const { url } = await api('POST', path);
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    } else {
      window.open(url, '_blank', 'noopener');
    }
    toast('Preview opened in a new tab. It is not counted as a view.');
  } catch (error) {
    tab?.close();
    throw error;
  }
}
