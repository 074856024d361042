// submissions.js: the list of uploads ("submissions") a token may see, with
// the rollback of one upload after a confirmation with a reason.

import { call } from './api.js';
import { ask, busy, el, formatTime, say, table } from './ui.js';

const stateLabels = { active: 'Active', rolled_back: 'Rolled back' };

/** SubmissionList renders GET /v1/submissions into host. */
export class SubmissionList {
  /**
   * ctx is the signed-in session ({token(), fail(err)}); providerName, when
   * given, adds a provider column that shows a provider id by name (admin
   * view).
   */
  constructor(ctx, host, refreshButton, { providerName = null } = {}) {
    this.ctx = ctx;
    this.host = host;
    this.providerName = providerName;
    refreshButton.addEventListener('click', () => busy(refreshButton, () => this.load(true)));
  }

  /** load fetches and shows the list; announce says so in the live region. */
  async load(announce = false) {
    let data;
    try {
      data = await call(this.ctx.token(), 'GET', '/v1/submissions');
    } catch (err) {
      this.ctx.fail(err);
      return;
    }
    const subs = (data.submissions || []).slice().sort((a, b) => String(b.time).localeCompare(String(a.time)));
    this.render(subs);
    if (announce) {
      say(subs.length === 1 ? 'List updated: 1 upload.' : 'List updated: ' + subs.length + ' uploads.');
    }
  }

  /** clear removes the list (on sign-out). */
  clear() {
    this.host.replaceChildren();
  }

  render(subs) {
    if (subs.length === 0) {
      this.host.replaceChildren(el('p', { className: 'empty' },
        'No uploads yet. When a patient uses a code, the upload appears here.'));
      return;
    }
    const headings = ['Uploaded', 'Keys', 'State'];
    if (this.providerName) {
      headings.push('Provider');
    }
    headings.push('Reference', 'Action');
    const rows = subs.map((s) => this.row(s));
    this.host.replaceChildren(table('Uploads', headings, rows));
  }

  row(s) {
    const keys = Array.isArray(s.keys) ? s.keys.length : s.inserted;
    const state = el('span', { className: 'badge ' + s.state, dataset: { state: s.state } }, stateLabels[s.state] || s.state);
    let action;
    if (s.state === 'active') {
      const button = el('button', {
        type: 'button', className: 'danger small', 'aria-label': 'Roll back the upload of ' + formatTime(s.time),
      }, 'Roll back');
      button.addEventListener('click', () => this.rollback(s, keys, button));
      action = button;
    } else {
      action = s.reason ? el('span', {}, 'Reason: ' + s.reason) : el('span', { className: 'empty' }, 'No reason given');
    }
    const cells = [el('td', {}, formatTime(s.time)), el('td', {}, String(keys)), el('td', {}, state)];
    if (this.providerName) {
      cells.push(el('td', {}, this.providerName(s.provider || '')));
    }
    cells.push(el('td', { className: 'ref' }, s.id), el('td', {}, action));
    return el('tr', { dataset: { id: s.id } }, ...cells);
  }

  async rollback(s, keys, button) {
    const answer = await ask({
      title: 'Roll back this upload?',
      text: 'The ' + keys + ' keys uploaded on ' + formatTime(s.time) +
        ' are withdrawn from the public list, and phones are told to drop them. This cannot be undone.',
      confirm: 'Roll back upload',
      fields: [{ id: 'rollback-reason', label: 'Reason (kept in the records)', type: 'textarea', required: true,
        help: 'For example: lab mix-up, or the code went to the wrong person.' }],
    });
    if (!answer) {
      say('Nothing was rolled back.');
      return;
    }
    await busy(button, async () => {
      try {
        const res = await call(this.ctx.token(), 'POST', '/v1/submissions/' + encodeURIComponent(s.id) + '/rollback',
          { body: { reason: answer['rollback-reason'] } });
        say('Upload rolled back: ' + res.revoked + ' keys withdrawn.', 'ok');
      } catch (err) {
        this.ctx.fail(err);
        return;
      }
      await this.load();
      this.host.focus();
    });
  }
}
